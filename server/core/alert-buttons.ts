import { z } from 'zod';

/** A button under a message: pressing it either calls back to our bot or opens a link. */
export const InlineButton = z.union([z.object({ text: z.string().min(1), callback_data: z.string().min(1).max(64) }), z.object({ text: z.string().min(1), url: z.string().url() })]);

/** `meta.buttons`: one row of buttons, or rows of them. */
export const InlineButtons = z.union([z.array(InlineButton), z.array(z.array(InlineButton))]);

export type InlineButtonType = z.infer<typeof InlineButton>;

export type ButtonAction = 'take' | 'call';

/** `take:lead:42` — Telegram allows 64 bytes of callback data, this stays far below. */
export function buttonData(action: ButtonAction, item: { kind: 'lead' | 'deal'; id: number }): string {
  return `${action}:${item.kind}:${item.id}`;
}

export function parseButtonData(data: string): { action: ButtonAction; item: { kind: 'lead' | 'deal'; id: number } } | null {
  const match = /^(take|call):(lead|deal):(\d+)$/.exec(data);
  return match ? { action: match[1] as ButtonAction, item: { kind: match[2] as 'lead' | 'deal', id: Number(match[3]) } } : null;
}

/** The buttons under a manager alert about an item ("taken in work", call back, open the card). */
export function itemAlertButtons(item: { kind: 'lead' | 'deal'; id: number }, openUrl: string): InlineButtonType[][] {
  return [
    [
      { text: '✋ Take the lead', callback_data: buttonData('take', item) },
      { text: '📞 Call now', callback_data: buttonData('call', item) },
    ],
    [{ text: `Open ${item.kind} #${item.id}`, url: openUrl }],
  ];
}

/** What replaces them once someone took it: the others see who, and can still open it. */
export function takenButtons(item: { kind: 'lead' | 'deal'; id: number }, takenBy: string, openUrl: string): InlineButtonType[][] {
  return [[{ text: `✅ Taken by ${takenBy}`, callback_data: `taken:${item.kind}:${item.id}` }], [{ text: `Open ${item.kind} #${item.id}`, url: openUrl }]];
}
