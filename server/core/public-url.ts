import type { CompiledConfig } from './compiled-config';

const LOCAL = 'http://localhost:3000';

/**
 * Our base URL, the one rule for links in messages, the board's Open buttons and the callback
 * URLs Twilio signs: `PUBLIC_URL` from the environment (how this deployment is reached), else
 * `public_url` from the config, else http://localhost:3000. Never ends with a slash.
 */
export function resolvePublicUrl(config: CompiledConfig, envPublicUrl: string | undefined): string {
  return (envPublicUrl || config.source.public_url || LOCAL).replace(/\/+$/, '');
}
