import path from 'node:path';
import Handlebars from 'handlebars';
import type { EntityManager } from 'typeorm';
import { readTextFile } from '../../config/loader';
import type { CompiledConfig } from '../core/compiled-config';
import { NotFoundError } from '../core/errors';
import type { ItemRef } from '../core/items';
import { renderMessage } from '../core/templates';
import { loadContext } from '../pipeline/load-context';
import { loadItem } from '../records/item-rows';

/**
 * A template rendered with a real item, the way a send renders it (the context a robot run
 * loads, renderMessage), per channel: an SMS's length and segments, an email's subject, text and
 * HTML, Telegram's text. Paths the template names that the item's context lacks are reported,
 * since they render as nothing.
 */

export interface TemplatePreview {
  template: string;
  item: string;
  channel: string;
  subject: string | null;
  text: string;
  html: string | null;
  sms: { characters: number; encoding: 'GSM-7' | 'UCS-2'; segments: number } | null;
  unknown_paths: string[];
}

const GSM_7 = new Set([...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà']);
const GSM_7_EXTENDED = new Set([...'^{}\\[~]|€\f']);

/** How an SMS is sent: GSM-7 in 160 characters (153 a part when split), else UCS-2 in 70 (67). */
export function smsSegments(text: string): { characters: number; encoding: 'GSM-7' | 'UCS-2'; segments: number } {
  const characters = [...text];
  const gsm = characters.every((character) => GSM_7.has(character) || GSM_7_EXTENDED.has(character));
  if (gsm) {
    const units = characters.reduce((sum, character) => sum + (GSM_7_EXTENDED.has(character) ? 2 : 1), 0);
    return { characters: units, encoding: 'GSM-7', segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = [...text].reduce((sum, character) => sum + (character.codePointAt(0)! > 0xffff ? 2 : 1), 0);
  return { characters: units, encoding: 'UCS-2', segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** The paths a template reads from its context (inside `#each`/`#with` they are relative: not checked). */
function pathsOf(source: string): string[] {
  const paths = new Set<string>();
  const visit = (node: unknown, scoped: boolean): void => {
    if (!node || typeof node !== 'object') return;
    const typed = node as {
      type?: string;
      original?: string;
      data?: boolean;
      path?: { original?: string };
      params?: unknown[];
      program?: unknown;
      inverse?: unknown;
      body?: unknown[];
      hash?: { pairs?: Array<{ value: unknown }> };
    };
    if (typed.type === 'PathExpression') {
      if (!scoped && !typed.data && typed.original && typed.original !== 'this') paths.add(typed.original);
      return;
    }
    if (typed.type === 'MustacheStatement' || typed.type === 'SubExpression' || typed.type === 'BlockStatement') {
      const helper = typed.path?.original ?? '';
      const hasArguments = (typed.params?.length ?? 0) > 0 || (typed.hash?.pairs?.length ?? 0) > 0;
      // `{{name}}` alone reads a path; `{{helper arg}}` calls a helper with paths as arguments.
      if (!hasArguments && typed.type === 'MustacheStatement') visit(typed.path, scoped);
      // `{{default x "—"}}` is written for an x that may be missing: not worth a warning.
      (typed.params ?? []).forEach((param, index) => (helper === 'default' && index === 0 ? undefined : visit(param, scoped)));
      for (const pair of typed.hash?.pairs ?? []) visit(pair.value, scoped);
      const inner = scoped || helper === 'each' || helper === 'with';
      visit(typed.program, inner);
      visit(typed.inverse, scoped);
      return;
    }
    for (const child of typed.body ?? []) visit(child, scoped);
  };
  visit(Handlebars.parse(source), false);
  return [...paths];
}

function resolves(context: Record<string, unknown>, dotted: string): boolean {
  let value: unknown = context;
  for (const step of dotted.split(/[./]/)) {
    if (value === null || value === undefined || typeof value !== 'object' || !(step in (value as object))) return false;
    value = (value as Record<string, unknown>)[step];
  }
  return value !== undefined;
}

/** The template's own texts (subject, text or its file, html), as written. */
function sourcesOf(config: CompiledConfig, id: string): string[] {
  const spec = config.source.templates[id];
  if (!spec) return [];
  const texts = [spec.subject, spec.text, spec.html].filter((text): text is string => typeof text === 'string');
  if (spec.file !== undefined) {
    const read = readTextFile(path.resolve(path.dirname(config.file), spec.file));
    if (read.ok) texts.push(read.text);
  }
  return texts;
}

export async function previewTemplate(deps: { manager: EntityManager; config: CompiledConfig; now: number; publicUrl: string }, templateId: string, ref: ItemRef): Promise<TemplatePreview> {
  const template = deps.config.templates.get(templateId);
  if (!template) throw new NotFoundError(`no template ${templateId} in the running config`);
  const item = await loadItem(deps.manager, ref);
  if (!item) throw new NotFoundError(`no ${ref.kind} ${ref.id}`);
  const evaluation = await loadContext(deps.manager, deps.config, item, deps.now, deps.publicUrl);
  // As send_message renders it for the client: the recipient is the item's person.
  const context = { ...evaluation, recipient: { name: item.row.name } };
  const rendered = renderMessage(deps.config, { template: templateId }, context);
  const channel = rendered.channel ?? 'outbox';
  const unknown = [...new Set(sourcesOf(deps.config, templateId).flatMap(pathsOf))].filter((dotted) => !resolves(context as Record<string, unknown>, dotted)).sort();
  return {
    template: templateId,
    item: `${ref.kind}:${ref.id}`,
    channel,
    subject: rendered.subject,
    text: rendered.body,
    html: rendered.html,
    sms: channel === 'sms' ? smsSegments(rendered.body) : null,
    unknown_paths: unknown,
  };
}
