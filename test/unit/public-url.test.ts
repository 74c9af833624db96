import { loadConfigText } from '../../config/loader';
import { listenUrl, resolvePublicUrl } from '../../server/core/public-url';

function configWith(publicUrl?: string) {
  const result = loadConfigText(`${publicUrl ? `public_url: ${publicUrl}\n` : ''}leads:\n  stages:\n    - id: new\n`, 'robots.yaml');
  if (!result.ok) throw new Error('fixture config refused');
  return result.config;
}

describe('the public URL links and provider callbacks point to', () => {
  it.each([
    ['the environment wins over the config', 'https://crm.example.com', 'https://robots.internal:8443/', 'https://robots.internal:8443'],
    ['the config when the environment says nothing', 'https://crm.example.com/', undefined, 'https://crm.example.com'],
    ['the config when the environment is empty', 'https://crm.example.com', '', 'https://crm.example.com'],
    ['localhost when neither says', undefined, undefined, 'http://localhost:3000'],
  ])('%s', (_, configured, environment, expected) => {
    expect(resolvePublicUrl(configWith(configured), environment)).toBe(expected);
  });

  it.each([
    ['the address the server listens on when neither says', undefined, undefined, 'http://localhost:4100'],
    ['the config before the listen address', 'https://crm.example.com', undefined, 'https://crm.example.com'],
    ['the environment before the listen address', undefined, 'https://robots.example.ru', 'https://robots.example.ru'],
  ])('%s', (_, configured, environment, expected) => {
    expect(resolvePublicUrl(configWith(configured), environment, listenUrl(undefined, 4100))).toBe(expected);
  });

  it.each([
    [undefined, 3000, 'http://localhost:3000'],
    ['0.0.0.0', 8080, 'http://localhost:8080'],
    ['127.0.0.1', 4000, 'http://127.0.0.1:4000'],
    ['::1', 4000, 'http://[::1]:4000'],
  ])('HOST %s, port %i listens at %s', (host, port, expected) => {
    expect(listenUrl(host, port)).toBe(expected);
  });
});
