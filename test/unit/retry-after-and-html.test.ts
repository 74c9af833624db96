import { retryAfterMs } from '../../server/core/retry-after';
import { textToHtml, verifyTrackingToken } from '../../server/core/tracking';
import { trackedEmail } from '../../server/messaging/send-once';

describe('Retry-After', () => {
  const now = Date.parse('2026-03-02T09:00:00Z');
  it('reads delay-seconds and HTTP dates; ignores what it cannot read', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(7, now)).toBe(7_000);
    expect(retryAfterMs('Mon, 02 Mar 2026 09:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Mon, 02 Mar 2026 08:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
  });
});

describe('an email written as text, as HTML', () => {
  it('keeps paragraphs and line breaks, makes links clickable and escapes the rest', () => {
    const html = textToHtml('Hello <Ivan> & co,\nsee https://shop.example.com/p?a=1&b=2\n\nBye');
    expect(html).toContain('<p>Hello &#60;Ivan&#62; &#38; co,<br>\nsee <a href="https://shop.example.com/p?a=1&#38;b=2">https://shop.example.com/p?a=1&#38;b=2</a></p>');
    expect(html).toContain('<p>Bye</p>');
  });
});

describe('a client email written as text, tracked', () => {
  it('links in both parts go through our click redirect to the exact destination, and the HTML has the pixel', () => {
    const email = trackedEmail('Prices: https://shop.example.com/p?a=1&b=2', null, { messageId: 7, item: { kind: 'lead', id: 42 } }, { baseUrl: 'https://crm.example.com', secret: 's' });
    const href = /href="https:\/\/crm\.example\.com\/t\/c\/([^"]+)"/.exec(String(email.html))?.[1];
    expect(verifyTrackingToken(String(href), 's')).toEqual({ m: 7, i: 'lead:42', u: 'https://shop.example.com/p?a=1&b=2' });
    expect(email.text).toContain(`https://crm.example.com/t/c/${href}`);
    expect(email.html).toMatch(/<img src="https:\/\/crm\.example\.com\/t\/o\/[^"]+\.gif"/);
  });
});
