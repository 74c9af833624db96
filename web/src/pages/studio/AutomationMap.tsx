import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { zoneLabel } from '../../components/zone';
import { hasWord, useI18n } from '../../i18n';
import type { AutomationResponse, MapRobot, MapStage, RobotActivity } from './types';
import { Code, ConditionWords, durationWords, robotTypeWords, timingWords, triggerTypeWords } from './words';

/**
 * Every pipeline as columns of its stages: the triggers that move items in, then the robots in
 * the order they fire — a branch's robots drawn inside its blocks, a notify's escalation as
 * steps, the stage's goal above them. A robot opens its YAML and its runs.
 */
export function AutomationMap({ map, onEdit }: { map: AutomationResponse; onEdit?: (line: number) => void }) {
  const { t, word, locale } = useI18n();
  const [open, setOpen] = useState<MapRobot | null>(null);
  return (
    <div class="automation-map">
      <p class="map-summary">
        {t('studio.summary', { robots: map.robots, triggers: map.triggers })} · {t('studio.zone', { zone: zoneLabel(map.timezone, locale) })}
      </p>
      {map.pipelines.map((pipeline) => (
        <section key={`${pipeline.kind}:${pipeline.key}`} class="map-pipeline" aria-labelledby={`pipeline-${pipeline.kind}-${pipeline.key}`}>
          <h2 id={`pipeline-${pipeline.kind}-${pipeline.key}`}>
            {pipeline.kind === 'lead' ? (
              t('map.pipeline.lead')
            ) : (
              <>
                {t('map.pipeline.deal', { name: '' })}
                <span data-user-content>{word(pipeline.name, pipeline.key)}</span>
              </>
            )}
          </h2>
          <ol class="map-stages">
            {pipeline.stages.map((stage) => (
              <StageColumn key={stage.id} stage={stage} onOpen={setOpen} />
            ))}
          </ol>
        </section>
      ))}
      {open && <RobotPanel robot={open} onClose={() => setOpen(null)} onEdit={onEdit} />}
    </div>
  );
}

function StageColumn({ stage, onOpen }: { stage: MapStage; onOpen: (robot: MapRobot) => void }) {
  const { t, word } = useI18n();
  // Robots a branch names are drawn inside its blocks, not a second time in the list.
  const inBranch = new Set(
    stage.robots.flatMap((robot) => [...(robot.branch ? [...robot.branch.when.flatMap((block) => block.robots), ...robot.branch.else] : []), ...(robot.split ?? []).flatMap((variant) => variant.robots)]),
  );
  // An escalation's levels run as robots of their own (`sla.escalate_1`); the map draws them as the steps of their ladder.
  const isLevel = (robot: MapRobot) => /\.escalate_\d+$/.test(robot.id);
  const byId = new Map(stage.robots.map((robot) => [robot.id, robot]));
  return (
    <li class={`map-stage semantic-${stage.semantic}`} data-stage={stage.id}>
      <h3 data-user-content>{word(stage.name, stage.id)}</h3>
      {stage.triggers.length > 0 && (
        <ul class="map-triggers">
          {stage.triggers.map((trigger) => (
            <li key={trigger.id} class="map-trigger" data-trigger={trigger.id}>
              <span class="trigger-arrow" aria-hidden="true">
                ⇢
              </span>{' '}
              {t('map.trigger')}: {triggerTypeWords(trigger.type, t, hasWord)}{' '}
              <small>
                ({t('map.trigger.event')} <Code>{trigger.event}</Code>)
              </small>
              {trigger.condition !== null && (
                <div class="robot-condition">
                  {t('map.robot.if')} <ConditionWords logic={trigger.condition} t={t} />
                </div>
              )}
              {trigger.allow_backwards && <div class="robot-note">{t('map.trigger.backwards')}</div>}
            </li>
          ))}
        </ul>
      )}
      {stage.stop_when !== null && (
        <p class="map-goal">
          {t('map.stage.goal')} <ConditionWords logic={stage.stop_when} t={t} /> {t('map.stage.goalThen')}
        </p>
      )}
      {stage.robots.length === 0 ? (
        <p class="map-empty">{t('map.stage.none')}</p>
      ) : (
        <ol class="map-robots" aria-label={t('map.stage.robots')}>
          {stage.robots
            .filter((robot) => !inBranch.has(robot.id) && !isLevel(robot))
            .map((robot) => (
              <RobotCard key={robot.id} robot={robot} byId={byId} onOpen={onOpen} />
            ))}
        </ol>
      )}
    </li>
  );
}

/** The robots a branch block or a split variant runs, drawn inside it. */
function NestedRobots({ ids, byId, onOpen }: { ids: string[]; byId: Map<string, MapRobot>; onOpen: (robot: MapRobot) => void }) {
  return (
    <ol class="map-robots nested">
      {ids.map((id) => {
        const inner = byId.get(id);
        return inner ? (
          <RobotCard key={id} robot={inner} byId={byId} onOpen={onOpen} />
        ) : (
          <li key={id}>
            <Code>{id}</Code>
          </li>
        );
      })}
    </ol>
  );
}

function RobotCard({ robot, byId, onOpen }: { robot: MapRobot; byId: Map<string, MapRobot>; onOpen: (robot: MapRobot) => void }) {
  const { t } = useI18n();
  const template = typeof robot.params.template === 'string' ? robot.params.template : null;
  const to = typeof robot.params.to === 'string' ? robot.params.to : null;
  return (
    <li class="map-robot" data-robot={robot.id}>
      <span class="robot-type">{robotTypeWords(robot.type, t, hasWord)}</span>
      <button type="button" class="robot-open" onClick={() => onOpen(robot)}>
        <span class="visually-hidden">{t('map.robot.open')}: </span>
        <span class="robot-name" data-user-content>
          {robot.title ?? robot.id}
        </span>
      </button>
      <div class="robot-timing">{timingWords(robot, t)}</div>
      {robot.after_robot && (
        <div class="robot-chain">
          ↳ {t('map.robot.afterRobot')} <Code>{robot.after_robot}</Code>
        </div>
      )}
      {template && (
        <div class="robot-note">
          {t('map.robot.template')} <Code>{template}</Code>
        </div>
      )}
      {to && robot.type === 'change_status' && (
        <div class="robot-note">
          → {t('map.robot.stage')} <Code>{to}</Code>
        </div>
      )}
      {robot.condition !== null && (
        <div class="robot-condition">
          {t('map.robot.if')} <ConditionWords logic={robot.condition} t={t} />
        </div>
      )}
      {robot.stop_on_reply === true && <div class="robot-note">{t('map.robot.stopOnReply')}</div>}
      {robot.branch && (
        <ol class="branch-blocks">
          {robot.branch.when.map((block, index) => (
            <li key={index} class="branch-block">
              <div class="branch-head">
                {t('map.robot.branch.when')} <ConditionWords logic={block.condition} t={t} />
              </div>
              <NestedRobots ids={block.robots} byId={byId} onOpen={onOpen} />
            </li>
          ))}
          {robot.branch.else.length > 0 && (
            <li class="branch-block">
              <div class="branch-head">{t('map.robot.branch.else')}</div>
              <NestedRobots ids={robot.branch.else} byId={byId} onOpen={onOpen} />
            </li>
          )}
        </ol>
      )}
      {robot.split && (
        <ol class="branch-blocks">
          {robot.split.map((variant) => (
            <li key={variant.variant} class="branch-block">
              <div class="branch-head">
                {t('map.robot.split.variant')} <Code>{variant.variant}</Code> — {t('map.robot.split.weight', { weight: variant.weight })}
              </div>
              {variant.robots.length > 0 ? <NestedRobots ids={variant.robots} byId={byId} onOpen={onOpen} /> : <p class="robot-note">{t('map.robot.split.control')}</p>}
            </li>
          ))}
        </ol>
      )}
      {robot.escalate.length > 0 && (
        <div class="escalation">
          <div>{t('map.robot.escalate')}</div>
          <ol>
            {robot.escalate.map((level, index) => (
              <li key={index} class="escalation-step" data-robot={`${robot.id}.escalate_${index + 1}`}>
                {t('map.robot.escalateStep', { after: durationWords(level.after, t) })} <Code>{level.to.join(', ')}</Code>
              </li>
            ))}
          </ol>
        </div>
      )}
    </li>
  );
}

/** One robot: its lines of the file and its runs, read again every few seconds while open. */
function RobotPanel({ robot, onClose, onEdit }: { robot: MapRobot; onClose: () => void; onEdit?: (line: number) => void }) {
  const { t, error: problemWords } = useI18n();
  const [activity, setActivity] = useState<RobotActivity | null>(null);
  const [problem, setProblem] = useState('');
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    let stopped = false;
    const load = () =>
      api<RobotActivity>(`/api/automation/robots/${encodeURIComponent(robot.id)}`)
        .then((answer) => !stopped && setActivity(answer))
        .catch((failure: { code?: string; status?: number }) => !stopped && setProblem(problemWords(failure.code ?? 'unknown', failure.status ?? 0)));
    void load();
    const timer = setInterval(load, 5000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [robot.id, problemWords]);
  useEffect(() => {
    panel.current?.focus();
    const close = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    document.addEventListener('keydown', close);
    return () => document.removeEventListener('keydown', close);
  }, [robot.id, onClose]);
  const week = activity?.last_7_days;
  return (
    <aside class="robot-panel" ref={panel} tabIndex={-1} aria-labelledby="robot-panel-title">
      <div class="robot-panel-head">
        <h2 id="robot-panel-title">
          {t('robot.details')}: <span data-user-content>{robot.title ?? robot.id}</span>
        </h2>
        <button type="button" onClick={onClose}>
          {t('robot.close')}
        </button>
      </div>
      {problem && <p role="alert">{problem}</p>}
      {activity && week && (
        <>
          <dl class="robot-activity">
            <div>
              <dt>{t('robot.pending')}</dt>
              <dd data-testid="pending">{activity.pending}</dd>
            </div>
            <div>
              <dt>{t('robot.week')}</dt>
              <dd>
                {t('robot.done')} {week.done} · {t('robot.skipped')} {week.skipped} · {t('robot.failed')} {week.failed} · {t('robot.unknown')} {week.unknown}
              </dd>
            </div>
          </dl>
          {activity.lines && (
            <figure class="robot-yaml">
              <figcaption>{t('robot.yaml', { from: activity.lines.from, to: activity.lines.to })}</figcaption>
              <pre data-user-content>{activity.yaml.map((line, index) => `${String((activity.lines?.from ?? 1) + index).padStart(4)}  ${line}`).join('\n')}</pre>
            </figure>
          )}
          {onEdit && activity.lines && (
            <button type="button" onClick={() => onEdit(activity.lines!.from)}>
              {t('robot.edit')}
            </button>
          )}
        </>
      )}
    </aside>
  );
}
