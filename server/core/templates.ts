import type { CompiledConfig } from './compiled-config';
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
export function renderMessage(config: CompiledConfig, source: { template?: string; text?: string; subject?: string }, context: EvaluationContext & Record<string, unknown>): RenderedMessage {
  if (source.template) {
    const template = config.templates.get(source.template);
    if (!template) throw new Error(`unknown template "${source.template}"`);
    return {
      subject: template.subject ? template.subject(context) : source.subject ? compiled(source.subject)(context) : null,
      body: template.text(context),
      html: template.html ? template.html(context) : null,
      template: source.template,
      channel: template.spec.channel,
    };
  }
  return {
    subject: source.subject ? compiled(source.subject)(context) : null,
    body: compiled(source.text ?? '')(context),
    html: null,
    template: null,
    channel: undefined,
  };
}

/**
 * Inline texts come from the config, so there are few of them, but each robot run renders one:
 * compiling costs far more than rendering. Bounded, so texts of old configs do not pile up.
 */
const inlineTemplates = new Map<string, Handlebars.TemplateDelegate>();

function compiled(text: string): Handlebars.TemplateDelegate {
  let template = inlineTemplates.get(text);
  if (!template) {
    if (inlineTemplates.size >= 2000) inlineTemplates.clear();
    template = Handlebars.compile(text, { noEscape: true });
    inlineTemplates.set(text, template);
  }
  return template;
}
