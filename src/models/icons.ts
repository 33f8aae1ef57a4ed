// An icon as plain data (a codicon id and an optional theme color id), so the
// models stay free of `vscode`; the views turn it into a ThemeIcon.

export interface IconSpec {
  id: string;
  color?: string;
}

/** What every item of a resource view shows; each model adds its own fields. */
export interface ResourceNode {
  /** Stable id: what the engine API (or the machine layer) takes. */
  id: string;
  /** The resource's own name, for messages. */
  name: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
}
