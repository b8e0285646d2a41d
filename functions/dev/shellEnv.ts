/** Shell `export` lines for the named variables that are set, values single-quoted: for a command a person pastes (local values only). */
export function exportLines(env: NodeJS.ProcessEnv, names: readonly string[]): string {
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  return names
    .filter((name) => env[name] !== undefined)
    .map((name) => `export ${name}=${quote(env[name]!)}`)
    .join('\n');
}
