/** The board's addresses, in one place (the server serves the app at /board/, server/http/app.ts). */
export const BASE = '/board';

export const paths = {
  leads: () => `${BASE}/`,
  deals: (pipeline: string) => `${BASE}/deals/${encodeURIComponent(pipeline)}`,
  list: () => `${BASE}/list`,
  item: (kind: 'lead' | 'deal', id: number) => `${BASE}/item/${kind}/${id}`,
  tasks: () => `${BASE}/tasks`,
  analytics: () => `${BASE}/analytics`,
  automation: () => `${BASE}/automation`,
  signIn: () => `${BASE}/sign-in`,
};

/**
 * Links in alerts and the one-time sign-in link say `/board/#lead-123` (server/core/items.ts
 * itemLink): that hash still opens the item.
 */
export function itemFromHash(hash: string): { kind: 'lead' | 'deal'; id: number } | null {
  const match = /^#(lead|deal)-(\d+)$/.exec(hash);
  if (!match) return null;
  return { kind: match[1] === 'deal' ? 'deal' : 'lead', id: Number(match[2]) };
}
