import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfigFileOffThread, loadConfigText } from '../../config/loader';
import { issueMessage, type IssueLocale } from '../../config/messages';

/** Above this a draft is checked on a worker thread (the example config is 27 KB; the API takes drafts up to 256 KB). */
const CHECK_ON_THREAD_BYTES = 64 * 1024;
import type { Clock } from '../core/clock';
import type { CompiledConfig } from '../core/compiled-config';
import type { ConfigIssue } from '../core/errors';
import type { LiveConfig } from '../core/live-config';
import type { ConfigVersionRow } from '../db/entities';
import type { Store } from '../db/store';
import type { RunQueue } from '../pipeline/queue';
import { automationMap, type AutomationMap } from './automation-map';
import { configDiff, readConfigText, templateChanges, writeConfigAtomically, type TemplateChange } from './config-file';
import { loadPlanState, type ReloadResult } from './plan-state';
import { planReload, type ReloadPlan } from './reload-plan';
import { configHash, type ConfigVersions } from './versions';
import { withLease } from '../db/leases';

/**
 * The automation studio's service: the map, checking a text as `robots validate` does, the plan
 * of an edit or a rollback, and applying it (the file written whole, the live config reloaded,
 * the version kept). An edit made against a file that changed meanwhile is refused, never
 * written over.
 */

export interface StudioDeps {
  clock: Clock;
  config: LiveConfig;
  store: Store;
  queue: RunQueue;
  versions: ConfigVersions;
  configFile: string;
  reload(): Promise<ReloadResult>;
}

/** A config issue as the editor shows it: with the word the loader suggests, when it has one. */
export interface EditorIssue extends ConfigIssue {
  suggestion: string | null;
}

/** What the review shows: the plan, the templates reworded, the diff, and the counts a version keeps. */
export interface StudioPlan {
  plan: ReloadPlan;
  templates: TemplateChange[];
  diff: string;
  summary: PlanSummary;
  /** The file's hash now: what an apply of this plan must still find on disk. */
  hash: string;
}

export interface PlanSummary {
  cancelled_runs: number;
  robots_removed: number;
  robots_changed: number;
  robots_added: number;
  stages_removed: number;
  triggers_changed: number;
  templates_changed: number;
}

export type ApplyOutcome =
  { status: 'applied'; version: ConfigVersionRow; cancelled_runs: number } | { status: 'conflict'; hash: string; diff: string } | { status: 'invalid'; issues: EditorIssue[] } | { status: 'edit_off' };

export function editorIssues(issues: ConfigIssue[]): EditorIssue[] {
  return issues.map((issue) => ({ ...issue, suggestion: typeof issue.params?.suggestion === 'string' ? issue.params.suggestion : null }));
}

/** The issues in the reader's language (config/messages.ts words each by its code). */
export function inLocale(issues: EditorIssue[], locale: IssueLocale): EditorIssue[] {
  return locale === 'en' ? issues : issues.map((issue) => ({ ...issue, message: issueMessage(issue, locale) }));
}

export function summarize(plan: ReloadPlan, templates: TemplateChange[]): PlanSummary {
  return {
    cancelled_runs: plan.cancelled_runs,
    robots_removed: plan.cancelled.filter((robot) => robot.why === 'removed').length,
    robots_changed: plan.changed.length,
    robots_added: plan.added.length,
    stages_removed: plan.removed_stages.length,
    triggers_changed: plan.triggers.length,
    templates_changed: templates.length,
  };
}

export class ConfigStudio {
  /** Applies one at a time (in every process): the second of two editors finds the first one's file and is refused. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: StudioDeps) {}

  get editable(): boolean {
    return this.deps.config.current.source.studio.edit;
  }

  /** The file as it is on disk now, and its hash (an edit sends it back with its apply). */
  source(): { yaml: string; hash: string } {
    const yaml = readConfigText(this.deps.configFile);
    return { yaml, hash: configHash(yaml) };
  }

  map(): AutomationMap {
    let text = '';
    try {
      text = readConfigText(this.deps.configFile);
    } catch {
      // The file is gone for a moment (mid-rename): the map still draws, without line numbers.
    }
    return automationMap(this.deps.config.current, text);
  }

  /**
   * The same check as `robots validate` (the loader, on this text, beside the file so template
   * files resolve). A big text is checked on a worker thread, as a reload is: the editor checks
   * as people type, and a 6 MB file must not stall the board for everyone else meanwhile.
   */
  async check(text: string): Promise<{ ok: true; config: CompiledConfig } | { ok: false; issues: EditorIssue[] }> {
    const result = Buffer.byteLength(text) > CHECK_ON_THREAD_BYTES ? await this.checkOffThread(text) : loadConfigText(text, this.deps.configFile, this.deps.clock.now());
    return result.ok ? result : { ok: false, issues: editorIssues(result.issues) };
  }

  private async checkOffThread(text: string) {
    const draft = path.join(path.dirname(this.deps.configFile), `.${path.basename(this.deps.configFile)}.studio-${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(draft, text);
    try {
      return await loadConfigFileOffThread(draft, this.deps.clock.now());
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }

  async plan(text: string): Promise<{ ok: true; review: StudioPlan } | { ok: false; issues: EditorIssue[] }> {
    const checked = await this.check(text);
    if (!checked.ok) return checked;
    const { yaml, hash } = this.source();
    const current = this.deps.config.current;
    const state = await loadPlanState(this.deps.store.manager, this.deps.queue, current, checked.config);
    const plan = planReload(current, checked.config, state);
    const templates = templateChanges(current, checked.config);
    return { ok: true, review: { plan, templates, diff: configDiff(yaml, text), summary: summarize(plan, templates), hash } };
  }

  /** Writes `text` when the file on disk is still the one the editor opened (`baseHash`), then reloads. */
  apply(text: string, baseHash: string, author: string, rollbackOf: number | null = null): Promise<ApplyOutcome> {
    // One at a time here, and one at a time across the install's processes (they share the file).
    const run = this.applying.then(() => withLease(this.deps.store, this.deps.clock, 'config-apply', () => this.applyNow(text, baseHash, author, rollbackOf)));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(text: string, baseHash: string, author: string, rollbackOf: number | null): Promise<ApplyOutcome> {
    if (!this.editable) return { status: 'edit_off' };
    const disk = this.source();
    if (disk.hash !== baseHash) return { status: 'conflict', hash: disk.hash, diff: configDiff(disk.yaml, text, 'on disk now', 'yours') };
    const planned = await this.plan(text);
    if (!planned.ok) return { status: 'invalid', issues: planned.issues };
    // Kept before the file is written: the watcher's reload then finds its hash known and does not count it as a change on disk.
    const version = await this.deps.versions.record({
      author,
      createdAt: this.deps.clock.now(),
      yaml: text,
      hash: configHash(text),
      planSummary: JSON.stringify(planned.review.summary),
      rollbackOf,
    });
    try {
      writeConfigAtomically(this.deps.configFile, text);
    } catch (error) {
      await this.deps.versions.remove(version.id);
      throw error;
    }
    const reloaded = await this.deps.reload();
    if (!reloaded.ok) return { status: 'invalid', issues: editorIssues(reloaded.issues) };
    return { status: 'applied', version, cancelled_runs: reloaded.cancelledRuns };
  }
}
