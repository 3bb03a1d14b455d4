/**
 * Fills `${NAME}` placeholders in the repository's manifests (scripts/kind/*.yaml). Strict both ways: a
 * placeholder without a value and a value without a placeholder are errors, so a renamed placeholder cannot
 * silently leave `${…}` in a manifest or drop a setting. Shell-style `$VAR` (no braces) is left alone.
 */
export function fillTemplate(text: string, values: Record<string, string>, source = "template"): string {
  const used = new Set<string>();
  const filled = text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${source}: no value for \${${name}}`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`${source}: no placeholder for ${unused.map((name) => `\${${name}}`).join(", ")}`);
  return filled;
}
