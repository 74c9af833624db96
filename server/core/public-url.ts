import type { CompiledConfig } from './compiled-config';

const LOCAL = 'http://localhost:3000';

/**
 * Our base URL, the one rule for links in messages, the board's Open buttons and the callback
 * URLs Twilio signs: `PUBLIC_URL` from the environment (how this deployment is reached), else
 * `public_url` from the config, else the address this server listens on (`robots serve` says it
 * once listening), else http://localhost:3000. Never ends with a slash.
 */
export function resolvePublicUrl(config: CompiledConfig, envPublicUrl: string | undefined, listeningAt?: string): string {
  return (envPublicUrl || config.source.public_url || listeningAt || LOCAL).replace(/\/+$/, '');
}

/** The address a server listening on `port` answers at: HOST when it names one interface, else localhost. */
export function listenUrl(host: string | undefined, port: number): string {
  const name = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
