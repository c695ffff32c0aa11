/**
 * Templates: strings with `${name}` placeholders, `name` matching [A-Za-z_][A-Za-z0-9_.]*. A `$`
 * not followed by `{` is a plain dollar sign. Anything else inside `${…}`, or a `${` never
 * closed, is an error (BAD_TEMPLATE), found before the flow is ever run.
 */

/** Always set for every call (types.ts header). `callData.*` is always allowed too. */
export const BUILT_IN_VARS = ['caller', 'called', 'callerName', 'lang', 'flow', 'returnTo'] as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export interface ParsedTemplate {
  /** The names read, in order (repeats kept). */
  vars: string[];
  /** What is wrong, one message per bad placeholder. */
  errors: string[];
}

export function parseTemplate(text: string): ParsedTemplate {
  const vars: string[] = [];
  const errors: string[] = [];
  let i = 0;
  for (;;) {
    const at = text.indexOf('${', i);
    if (at < 0) break;
    const end = text.indexOf('}', at + 2);
    if (end < 0) {
      errors.push(`"${text.slice(at)}" is never closed: a placeholder is \${name}`);
      break;
    }
    const name = text.slice(at + 2, end);
    if (NAME.test(name)) vars.push(name);
    else errors.push(`"\${${name}}" is not a placeholder: a name is letters, digits, _ and . (not first), as in \${customer.balance}`);
    i = end + 1;
  }
  return { vars, errors };
}

/** A read every call may make: a built-in variable or the call's data. */
export function isAlwaysSet(name: string): boolean {
  return (BUILT_IN_VARS as readonly string[]).includes(name) || name.startsWith('callData.');
}

/** Whether `name` is covered by a set of facts: names, and `<prefix>.*` for a whole prefix. */
export function covered(name: string, facts: ReadonlySet<string>): boolean {
  if (facts.has(name)) return true;
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
    if (facts.has(`${name.slice(0, dot)}.*`)) return true;
  }
  return false;
}
