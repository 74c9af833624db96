import { z } from 'zod';

/**
 * What the providers post to us, parsed at the edge (STYLE §2): a malformed body is a 400 after
 * the signature check, never a 500 and never a cast. Unknown keys are kept out of our way
 * (`loose`), since providers add fields without notice.
 */

/** Ids in our URLs (`?message=42`, `?call=7`) fit a 32-bit integer column. */
export const RowId = z.coerce
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

export const TwilioSmsStatus = z.looseObject({
  MessageStatus: z.string().optional(),
  SmsStatus: z.string().optional(),
  MessageSid: z.string().optional(),
  ErrorCode: z.string().optional(),
});

export const TwilioInboundSms = z.looseObject({
  From: z.string().min(1),
  Body: z.string(),
  MessageSid: z.string().optional(),
  SmsSid: z.string().optional(),
});

export const TwilioCallStatus = z.looseObject({
  CallStatus: z.string().min(1),
  CallSid: z.string().optional(),
  CallDuration: z.string().optional(),
});
export type TwilioCallStatus = z.infer<typeof TwilioCallStatus>;

const TelegramChat = z.looseObject({ id: z.number().int() });
const TelegramUser = z.looseObject({ id: z.number().int(), first_name: z.string().optional(), username: z.string().optional() });

/** The parts of a Bot API update we act on. */
export const TelegramUpdate = z.looseObject({
  update_id: z.number().int(),
  message: z
    .looseObject({
      message_id: z.number().int(),
      chat: TelegramChat,
      from: TelegramUser.optional(),
      text: z.string().optional(),
      reply_to_message: z.looseObject({ message_id: z.number().int() }).optional(),
    })
    .optional(),
  callback_query: z
    .looseObject({
      id: z.string(),
      from: TelegramUser,
      message: z.looseObject({ message_id: z.number().int(), chat: TelegramChat }).optional(),
      data: z.string().optional(),
    })
    .optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;
