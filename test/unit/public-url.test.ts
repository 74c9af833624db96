import { loadConfigText } from '../../config/loader';
import { resolvePublicUrl } from '../../server/core/public-url';

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
});
