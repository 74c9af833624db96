import { configJsonSchema } from '../../config/registered-schema';
import { describeAt, suggestionsAt, type JsonSchema } from '../../web/src/pages/studio/schema-help';

const schema = configJsonSchema() as JsonSchema;

/** `|` marks the cursor. */
function at(textWithCursor: string) {
  const position = textWithCursor.indexOf('|');
  return { text: textWithCursor.replace('|', ''), position };
}

describe('the studio editor reads the config schema where the cursor is', () => {
  it('offers a robot’s keys inside a block robot, with the keys of its written type', () => {
    const { text, position } = at('leads:\n  stages:\n    - id: new\n      robots:\n        - id: hello\n          type: notify\n          esc|');
    const labels = suggestionsAt(schema, text, position)?.options.map((option) => option.label) ?? [];
    expect(labels).toEqual(expect.arrayContaining(['escalate', 'after', 'working_hours']));
    expect(labels).not.toContain('id');
    expect(labels).not.toContain('pipeline');
  });

  it('offers the robot types after `type:` in a flow robot', () => {
    const { text, position } = at('leads:\n  stages:\n    - id: new\n      robots:\n        - { id: hello, type: se| }');
    expect(suggestionsAt(schema, text, position)?.options.map((option) => option.label)).toEqual(expect.arrayContaining(['send_message', 'notify', 'branch']));
  });

  it('offers the top-level keys at the start of a line', () => {
    const { text, position } = at('timezone: Europe/Moscow\nstu|');
    expect(suggestionsAt(schema, text, position)?.options.map((option) => option.label)).toEqual(expect.arrayContaining(['studio', 'templates', 'deals']));
  });

  it('explains a key on hover from its description', () => {
    const { text, position } = at('leads:\n  stages:\n    - id: new\n      stop_wh|en: {"==": [1, 1]}');
    expect(describeAt(schema, text, position)?.description).toMatch(/goal/i);
  });
});
