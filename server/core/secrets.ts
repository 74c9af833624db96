/**
 * Secrets the server signs or checks with. A secret set but empty or short would be signed with
 * as given — an empty TRACKING_SECRET once made sign-in links forgeable for anyone — so such a
 * setting stops the server instead of weakening it.
 */
export const MIN_SECRET_BYTES = 32;

/** Signing secrets of the server itself, by environment variable (hooks add theirs from the config). */
export const SERVER_SECRET_VARIABLES = ['TRACKING_SECRET', 'TELEGRAM_WEBHOOK_SECRET', 'INBOUND_EMAIL_SECRET'] as const;

/** One sentence per secret that is set but too weak; unset ones are not named (they are generated or their feature is off). */
export function weakSecrets(env: Readonly<Record<string, string | undefined>>, variables: readonly string[]): string[] {
  const problems: string[] = [];
  for (const name of new Set(variables)) {
    const value = env[name];
    if (value === undefined) continue;
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes === 0) problems.push(`${name} is set but empty: unset it (a random secret is kept with the data) or set at least ${MIN_SECRET_BYTES} bytes`);
    else if (bytes < MIN_SECRET_BYTES) problems.push(`${name} is ${bytes} bytes long: a signing secret needs at least ${MIN_SECRET_BYTES} (\`robots secret\` prints one)`);
  }
  return problems;
}
