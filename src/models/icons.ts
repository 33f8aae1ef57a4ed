// An icon as plain data (a codicon id and an optional theme color id), so the
// models stay free of `vscode`; the views turn it into a ThemeIcon.

export interface IconSpec {
  id: string;
  color?: string;
}
