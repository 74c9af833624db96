import { DateTime } from 'luxon';
import { LEAD_PIPELINE } from '../core/compiled-config';
import type { ReloadPlan, RunSample } from './reload-plan';

function placeLabel(pipeline: string, stage: string): string {
  return pipeline === LEAD_PIPELINE ? `leads/${stage}` : `${pipeline}/${stage}`;
}

function runLine(run: RunSample, zone: string): string {
  const due = run.due_at ? DateTime.fromISO(run.due_at, { zone }).toFormat('ccc dd LLL yyyy HH:mm:ss') : run.waits_for ? `waiting for ${run.waits_for}` : 'waiting for its date field to be set';
  return `      run ${run.id}  ${run.item.padEnd(10)} ${run.status.padEnd(9)} due ${due}`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Like `terraform plan`: `-` cancelled, `~` changed, `+` added, `!` needs a person. Times in the config zone, to the second. */
export function formatPlan(plan: ReloadPlan, zone: string): string {
  const lines: string[] = [];
  const more = (shown: number, total: number) => (total > shown ? [`      … and ${total - shown} more`] : []);
  for (const robot of plan.cancelled) {
    const why = robot.why === 'removed' ? 'removed' : `moved to ${placeLabel(robot.moved_to?.pipeline ?? '', robot.moved_to?.stage ?? '')}`;
    lines.push(`  - robot ${robot.robot} (${robot.type ?? 'unknown type'}, ${placeLabel(robot.pipeline, robot.stage)}) ${why}: ${plural(robot.cancelled_runs, 'pending run')} cancelled`);
    lines.push(...robot.first.map((run) => runLine(run, zone)), ...more(robot.first.length, robot.cancelled_runs));
  }
  for (const robot of plan.changed) {
    lines.push(
      `  ~ robot ${robot.robot} (${robot.type}, ${placeLabel(robot.pipeline, robot.stage)}) changed: ${robot.keys.join(', ')}${robot.type_change ? ` (type ${robot.type_change.from} → ${robot.type_change.to})` : ''}; ${plural(robot.pending_runs, 'pending run')}`,
    );
    lines.push(...robot.effects.map((effect) => `      ${effect}`));
    lines.push(...robot.first.map((run) => runLine(run, zone)), ...more(robot.first.length, robot.pending_runs));
  }
  for (const robot of plan.added) {
    const from = robot.moved_from ? ` (moved from ${placeLabel(robot.moved_from.pipeline, robot.moved_from.stage)})` : '';
    const there = robot.items_in_stage ? `; the ${plural(robot.items_in_stage, 'item')} there now will not get it` : '';
    lines.push(`  + robot ${robot.robot} (${robot.type}, ${placeLabel(robot.pipeline, robot.stage)})${from}: runs for items entering the stage from now on${there}`);
  }
  for (const stage of plan.removed_stages) {
    const marker = stage.items ? '!' : '-';
    lines.push(
      `  ${marker} ${stage.pipeline_removed ? 'pipeline' : 'stage'} ${placeLabel(stage.pipeline, stage.stage)} removed with ${plural(stage.items, 'item')} in it: ${stage.effect}${stage.first.length ? ` (${stage.first.join(', ')}${stage.items > stage.first.length ? ', …' : ''})` : ''}`,
    );
  }
  for (const trigger of plan.triggers) {
    const marker = trigger.change === 'added' ? '+' : trigger.change === 'removed' ? '-' : '~';
    const detail =
      trigger.change === 'moved'
        ? ` moved from ${placeLabel(trigger.moved_from?.pipeline ?? '', trigger.moved_from?.stage ?? '')}`
        : trigger.change === 'changed'
          ? ` changed: ${trigger.keys.join(', ')}`
          : ` ${trigger.change}`;
    lines.push(`  ${marker} trigger ${trigger.trigger} (${trigger.type}, into ${placeLabel(trigger.pipeline, trigger.stage)})${detail}; acts on events from the reload on`);
  }
  for (const template of plan.templates) {
    const who = template.robots.length ? ` (sent by ${template.robots.join(', ')})` : ' (no robot sends it)';
    lines.push(`  ~ template ${template.template} changed: ${template.parts.join(', ')}${who}; ${plural(template.pending_runs, 'pending run')} will send the new text`);
  }
  for (const run of plan.followers) {
    const then = run.outcome === 'released' ? 'released: its robot waits for nothing in the new config, so it becomes due now' : 'cancelled too: its robot still waits in the new config';
    lines.push(`  ${run.outcome === 'released' ? '>' : '-'} run ${run.id} of ${run.robot} (${run.item}) waited for ${run.waits_for}, whose run the reload cancels: ${then}`);
  }
  if (plan.no_changes) lines.push('  no changes to robots, stages, triggers or templates');
  lines.push('', `A reload would cancel ${plural(plan.cancelled_runs, 'pending run')}.`);
  return lines.join('\n');
}
