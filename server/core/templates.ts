import type { CompiledConfig } from './compiled-config';
import type { ChannelNameType } from '../../config/schema';
import type Handlebars from 'handlebars';
import type { Config } from '../../config/schema';
import type { EvaluationContext } from './context';
import { compileTemplate, templateData } from './template-helpers';

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
    const options = { data: templateData(config.source) };
    return {
      subject: template.subject ? template.subject(context, options) : source.subject ? renderText(config.source, source.subject, context) : null,
      body: template.text(context, options),
      html: template.html ? template.html(context, options) : null,
      template: source.template,
      channel: template.spec.channel,
    };
  }
  return {
    subject: source.subject ? renderText(config.source, source.subject, context) : null,
    body: renderText(config.source, source.text ?? '', context),
    html: null,
    template: null,
    channel: undefined,
  };
}

/** A robot's inline handlebars text (a message, a task's title, a field's value) with the config's helpers. */
export function renderText(config: Config, text: string, context: object): string {
  return compiled(text)(context, { data: templateData(config) });
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
    template = compileTemplate(text);
    inlineTemplates.set(text, template);
  }
  return template;
}
