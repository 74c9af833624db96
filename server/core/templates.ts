import type { CompiledConfig } from '../../config/model';
import type { ChannelNameType } from '../../config/schema';
import Handlebars from 'handlebars';
import type { EvaluationContext } from './context';

export interface RenderedMessage {
  subject: string | null;
  body: string;
  html: string | null;
  template: string | null;
  channel: ChannelNameType | undefined;
}

/** Renders a named template, or inline text, against the documented context. */
export function renderMessage(
  config: CompiledConfig,
  source: { template?: string; text?: string; subject?: string },
  context: EvaluationContext & Record<string, unknown>,
): RenderedMessage {
  if (source.template) {
    const template = config.templates.get(source.template);
    if (!template) throw new Error(`unknown template "${source.template}"`);
    return {
      subject: template.subject ? template.subject(context) : source.subject ? Handlebars.compile(source.subject, { noEscape: true })(context) : null,
      body: template.text(context),
      html: template.html ? template.html(context) : null,
      template: source.template,
      channel: template.spec.channel,
    };
  }
  return {
    subject: source.subject ? Handlebars.compile(source.subject, { noEscape: true })(context) : null,
    body: Handlebars.compile(source.text ?? '', { noEscape: true })(context),
    html: null,
    template: null,
    channel: undefined,
  };
}
