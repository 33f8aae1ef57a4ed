// Image tag validation for prompts: one sentence saying what is wrong.

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG_RE = new RegExp(`^(?:[a-zA-Z0-9.-]+(?::\\d+)?/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?$`);

/** Undefined when `tag` is a valid `[registry/]name[:tag]`, else why not. */
export function tagProblem(tag: string): string | undefined {
  const t = tag.trim();
  if (!t) return 'Enter a tag, e.g. myapp:latest.';
  if (!TAG_RE.test(t)) return `"${t}" is not a valid tag: use lower-case letters, digits and . _ - in the name, e.g. myapp:1.0.`;
  return undefined;
}
