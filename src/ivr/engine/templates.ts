/**
 * Templates: `${name}` placeholders in a flow's values, filled from the call's variables. A
 * variable that is not set reads as the empty string (the static checks make sure a flow never
 * reads one before a node sets it).
 */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_.]*)\}/g;

export function render(template: string, vars: ReadonlyMap<string, string>): string {
  if (!template.includes('${')) return template;
  return template.replace(PLACEHOLDER, (_, name: string) => vars.get(name) ?? '');
}

/** The variable names a template reads. */
export function readsOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
