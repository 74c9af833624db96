import '../../components/page.css';
import './analytics.css';
import { useLocation } from 'preact-iso';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { PipelinesResponse } from '../../api/types';
import { configZone, personName, zoneLabel } from '../../components/zone';
import { useI18n, type I18n } from '../../i18n';
import { paths } from '../../paths';
import { seesAnalytics, useSession } from '../../session';
import { BarChart } from './bar-chart';
import { isValidRange, presetOf, presetRange, type DayRange, type RangePreset } from './range';
import type { FunnelReport, LostReasonRow, OutcomeGroup, VariantRow } from './types';

const PRESETS: Array<Exclude<RangePreset, 'custom'>> = ['today', 'week', 'month', 'last30'];

/**
 * /board/analytics — the funnel of one pipeline over an inclusive range of the config's days:
 * conversion, time in stage, stuck items, lost reasons, results per source and per manager.
 * Each chart has its table beside it (the same numbers, for screen readers and for copying);
 * names and labels, never ids. The range lives in the address, so a link shows the same figures.
 */
export function AnalyticsPage() {
  const i18n = useI18n();
  const { t, word, error: problemWords } = i18n;
  const { config, user } = useSession();
  const location = useLocation();
  const zone = configZone(config);
  const now = Date.now();
  const pipelines = [config.leads, ...config.deals];
  const pipelineKey = pipelines.some((pipeline) => pipeline.key === location.query.pipeline) ? (location.query.pipeline as string) : config.leads.key;
  const asked = { from: location.query.from ?? '', to: location.query.to ?? '' };
  const range: DayRange = isValidRange(asked) ? asked : presetRange('last30', now, zone);
  const preset = presetOf(range, now, zone);
  const [custom, setCustom] = useState<DayRange>(range);
  const [customOpen, setCustomOpen] = useState(preset === 'custom');
  const [report, setReport] = useState<FunnelReport | null>(null);
  const [problem, setProblem] = useState('');
  const [loading, setLoading] = useState(false);

  const go = useCallback(
    (next: { pipeline?: string; range?: DayRange }) => {
      const chosen = next.range ?? range;
      const query = new URLSearchParams({ pipeline: next.pipeline ?? pipelineKey, from: chosen.from, to: chosen.to });
      location.route(`${paths.analytics()}?${query.toString()}`);
    },
    [location, pipelineKey, range.from, range.to],
  );

  useEffect(() => {
    document.title = t('app.title', { page: t('analytics.title') });
  }, [t]);

  useEffect(() => {
    if (!seesAnalytics(user)) return;
    setCustom(range);
    let current = true;
    setLoading(true);
    api<FunnelReport>('/api/analytics/funnel', { query: { pipeline: pipelineKey, from: range.from, to: range.to } })
      .then((answer) => {
        if (!current) return;
        setReport(answer);
        setProblem('');
      })
      .catch((failure: unknown) => {
        if (!current) return;
        setReport(null);
        if (failure instanceof ApiError && failure.status !== 401) setProblem(failure.status === 403 ? t('analytics.notYours') : problemWords(failure.code, failure.status));
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [pipelineKey, range.from, range.to, user]);

  if (!seesAnalytics(user)) {
    return (
      <section class="page-message">
        <h1>{t('analytics.title')}</h1>
        <p role="alert">{t('analytics.notYours')}</p>
      </section>
    );
  }

  const dayText = (day: string) => new Intl.DateTimeFormat(i18n.locale === 'ru' ? 'ru-RU' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

  return (
    <section class="analytics-page" aria-labelledby="analytics-title" data-loaded={report && !loading ? `${report.pipeline}:${range.from}:${range.to}` : undefined}>
      <header class="page-head">
        <h1 id="analytics-title">{t('analytics.title')}</h1>
        <label class="field inline">
          <span>{t('analytics.pipeline')}</span>
          <select value={pipelineKey} onChange={(event) => go({ pipeline: event.currentTarget.value })}>
            {pipelines.map((pipeline) => (
              <option key={pipeline.key} value={pipeline.key} data-user-content={pipeline.kind === 'lead' ? undefined : true}>
                {pipeline.kind === 'lead' ? t('analytics.leads') : word(pipeline.name, pipeline.key)}
              </option>
            ))}
          </select>
        </label>
      </header>

      <div class="range" role="group" aria-label={t('analytics.range')}>
        {PRESETS.map((name) => (
          <button
            key={name}
            type="button"
            aria-pressed={preset === name && !customOpen}
            onClick={() => {
              setCustomOpen(false);
              go({ range: presetRange(name, now, zone) });
            }}
          >
            {t(`analytics.preset.${name}`)}
          </button>
        ))}
        <button type="button" aria-pressed={preset === 'custom' || customOpen} aria-expanded={customOpen} aria-controls="analytics-custom" onClick={() => setCustomOpen(!customOpen)}>
          {t('analytics.preset.custom')}
        </button>
      </div>
      {customOpen && (
        <form
          id="analytics-custom"
          class="custom-range"
          onSubmit={(event) => {
            event.preventDefault();
            if (!isValidRange(custom)) return setProblem(t('analytics.rangeInvalid'));
            go({ range: custom });
          }}
          novalidate
        >
          <label class="field">
            <span>{t('analytics.from')}</span>
            <input type="date" value={custom.from} max={custom.to || undefined} onInput={(event) => setCustom({ ...custom, from: event.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t('analytics.to')}</span>
            <input type="date" value={custom.to} min={custom.from || undefined} onInput={(event) => setCustom({ ...custom, to: event.currentTarget.value })} />
          </label>
          <button type="submit" class="primary">
            {t('analytics.show')}
          </button>
        </form>
      )}
      <p class="hint range-text">{t('analytics.rangeText', { from: dayText(range.from), to: dayText(range.to), zone: zoneLabel(zone, i18n.locale) })}</p>
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      <p class="visually-hidden" role="status" aria-live="polite">
        {loading ? t('analytics.loading') : ''}
      </p>
      {report && <Report report={report} config={config} i18n={i18n} />}
    </section>
  );
}

const numberOr = (value: number | null | undefined, format: (value: number) => string) => (value === null || value === undefined ? '—' : format(value));

function groupName(group: OutcomeGroup, key: 'source' | 'responsible', config: PipelinesResponse, i18n: I18n): string {
  const given = key === 'source' ? (group.source_name ?? group.source_label ?? group.name ?? group.label) : (group.responsible_name ?? group.name ?? group.label);
  if (given) return i18n.word(given);
  const id = group[key];
  if (!id || id === '(none)') return i18n.t('analytics.none');
  return key === 'source' ? i18n.word(config.source_labels[id], id) : personName(config, id);
}

function reasonName(row: LostReasonRow, config: PipelinesResponse, i18n: I18n): string {
  const given = row.reason_label ?? row.reason_name ?? row.label;
  if (given) return i18n.word(given);
  if (!row.reason) return i18n.t('analytics.noReason');
  for (const pipeline of [config.leads, ...config.deals]) {
    const found = pipeline.stages.find((stage) => stage.id === row.stage)?.reasons?.find((reason) => reason.id === row.reason);
    if (found) return i18n.word(found.label, row.reason);
  }
  return row.reason.replace(/_/g, ' ');
}

function Report({ report, config, i18n }: { report: FunnelReport; config: PipelinesResponse; i18n: I18n }) {
  const { t, word, fmt } = i18n;
  const tag = i18n.locale === 'ru' ? 'ru-RU' : 'en-GB';
  const stages = report.stages.map((stage) => ({ ...stage, label: word(stage.name, stage.stage) }));
  const percent = (value: number) => t('unit.percent', { value: fmt.number(value) });
  const hours = (value: number) => fmt.number(value);
  const nothing = stages.every((stage) => stage.entered === 0 && stage.current === 0);

  // Lost reasons: one row per reason, split by who refused.
  const reasons = new Map<string, { label: string; we: number; client: number; unsaid: number }>();
  for (const row of report.lost_reasons) {
    const label = reasonName(row, config, i18n);
    const entry = reasons.get(label) ?? { label, we: 0, client: 0, unsaid: 0 };
    if (row.refused_by === 'we_refused') entry.we += row.count;
    else if (row.refused_by === 'client_refused') entry.client += row.count;
    else entry.unsaid += row.count;
    reasons.set(label, entry);
  }
  const lost = [...reasons.values()];
  const stuck = stages.filter((stage) => stage.stuck !== null);

  return (
    <div class="analytics-report">
      {nothing && <p class="hint">{t('analytics.noData')}</p>}
      {report.totals && (
        <section class="report-card totals-card" aria-label={t('analytics.totals')}>
          <dl class="totals">
            {(
              [
                ['col.items', fmt.number(report.totals.items)],
                ['col.won', fmt.number(report.totals.won)],
                ['col.lost', fmt.number(report.totals.lost)],
                ['col.open', fmt.number(report.totals.open)],
                ['col.winRate', report.totals.win_rate === null ? '—' : percent(report.totals.win_rate)],
              ] as const
            ).map(([key, value]) => (
              <div key={key}>
                <dt>{t(key)}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
      <section class="report-card" id="funnel" aria-labelledby="funnel-title">
        <h2 id="funnel-title">{t('analytics.funnel')}</h2>
        <BarChart label={t('analytics.funnelChart')} labels={stages.map((stage) => stage.label)} datasets={[{ label: t('col.items'), data: stages.map((stage) => stage.entered) }]} horizontal locale={tag} />
        <p class="hint">{t('analytics.funnelHint')}</p>
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="funnel-title">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col.stage')}</th>
                <th scope="col">{t('col.items')}</th>
                <th scope="col">{t('col.entries')}</th>
                <th scope="col">{t('col.next')}</th>
                <th scope="col">{t('col.later')}</th>
                <th scope="col">{t('col.median')}</th>
                <th scope="col">{t('col.now')}</th>
                <th scope="col">{t('col.stuck')}</th>
              </tr>
            </thead>
            <tbody>
              {stages.map((stage) => (
                <tr key={stage.stage}>
                  <th scope="row" data-user-content>
                    {stage.label}
                  </th>
                  <td>{fmt.number(stage.entered)}</td>
                  <td>{fmt.number(stage.entries)}</td>
                  <td>{numberOr(stage.conversion_to_next, percent)}</td>
                  <td>{numberOr(stage.conversion_forward, percent)}</td>
                  <td>{numberOr(stage.hours_in_stage.median, hours)}</td>
                  <td>{fmt.number(stage.current)}</td>
                  <td>{numberOr(stage.stuck, fmt.number)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section class="report-card" id="time-in-stage" aria-labelledby="time-title">
        <h2 id="time-title">{t('analytics.time')}</h2>
        <BarChart
          label={t('analytics.timeChart')}
          labels={stages.map((stage) => stage.label)}
          datasets={[
            { label: t('col.median'), data: stages.map((stage) => stage.hours_in_stage.median) },
            { label: t('col.average'), data: stages.map((stage) => stage.hours_in_stage.average) },
          ]}
          horizontal
          formatValue={(value) => t('unit.hours', { value: fmt.number(value) })}
          locale={tag}
        />
      </section>

      <section class="report-card" id="stuck" aria-labelledby="stuck-title">
        <h2 id="stuck-title">{t('analytics.stuck')}</h2>
        <BarChart
          label={t('analytics.stuckChart')}
          labels={stages.map((stage) => stage.label)}
          datasets={[
            { label: t('col.now'), data: stages.map((stage) => stage.current) },
            { label: t('col.stuck'), data: stages.map((stage) => stage.stuck ?? 0), colour: '#a42e2e' },
          ]}
          horizontal
          locale={tag}
        />
        {stuck.every((stage) => !stage.stuck) && <p class="hint">{t('analytics.stuckNone')}</p>}
      </section>

      <section class="report-card" id="lost" aria-labelledby="lost-title">
        <h2 id="lost-title">{t('analytics.lost')}</h2>
        {lost.length === 0 ? (
          <p class="hint">{t('analytics.lostNone')}</p>
        ) : (
          <>
            <BarChart
              label={t('analytics.lostChart')}
              labels={lost.map((row) => row.label)}
              datasets={[
                { label: t('col.weRefused'), data: lost.map((row) => row.we) },
                { label: t('col.clientRefused'), data: lost.map((row) => row.client) },
                { label: t('col.notSaid'), data: lost.map((row) => row.unsaid), colour: '#4a5568' },
              ]}
              horizontal
              stacked
              locale={tag}
            />
            <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="lost-title">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('col.reason')}</th>
                    <th scope="col">{t('col.weRefused')}</th>
                    <th scope="col">{t('col.clientRefused')}</th>
                    <th scope="col">{t('col.notSaid')}</th>
                  </tr>
                </thead>
                <tbody>
                  {lost.map((row) => (
                    <tr key={row.label}>
                      <th scope="row" data-user-content>
                        {row.label}
                      </th>
                      <td>{fmt.number(row.we)}</td>
                      <td>{fmt.number(row.client)}</td>
                      <td>{fmt.number(row.unsaid)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <OutcomeSection
        id="by-source"
        title={t('analytics.bySource')}
        chartLabel={t('analytics.bySourceChart')}
        column={t('col.source')}
        groups={report.by_source}
        name={(group) => groupName(group, 'source', config, i18n)}
        i18n={i18n}
      />
      <OutcomeSection
        id="by-manager"
        title={t('analytics.byManager')}
        chartLabel={t('analytics.byManagerChart')}
        column={t('col.manager')}
        groups={report.by_manager}
        name={(group) => groupName(group, 'responsible', config, i18n)}
        i18n={i18n}
      />
      {report.by_variant && report.by_variant.length > 0 && <VariantSection rows={report.by_variant} i18n={i18n} />}
    </div>
  );
}

/** An A/B split's variants side by side: conversion is won ÷ items that got the variant. */
function VariantSection({ rows, i18n }: { rows: VariantRow[]; i18n: I18n }) {
  const { t, fmt } = i18n;
  const percent = (value: number | null) => (value === null ? '—' : t('unit.percent', { value: fmt.number(value) }));
  return (
    <section class="report-card" id="by-variant" aria-labelledby="by-variant-title">
      <h2 id="by-variant-title">{t('analytics.byVariant')}</h2>
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="by-variant-title">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('col.split')}</th>
              <th scope="col">{t('col.variant')}</th>
              <th scope="col">{t('col.items')}</th>
              <th scope="col">{t('col.won')}</th>
              <th scope="col">{t('col.conversion')}</th>
              <th scope="col">{t('col.replied')}</th>
              <th scope="col">{t('col.replyRate')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.split}/${row.variant}`}>
                <td data-user-content>{row.split}</td>
                <th scope="row" data-user-content>
                  {row.variant}
                </th>
                <td>{fmt.number(row.items)}</td>
                <td>{fmt.number(row.won)}</td>
                <td>{percent(row.conversion)}</td>
                <td>{fmt.number(row.replied)}</td>
                <td>{percent(row.reply_rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function OutcomeSection({ id, title, chartLabel, column, groups, name, i18n }: { id: string; title: string; chartLabel: string; column: string; groups: OutcomeGroup[]; name(group: OutcomeGroup): string; i18n: I18n }) {
  const { t, fmt } = i18n;
  const tag = i18n.locale === 'ru' ? 'ru-RU' : 'en-GB';
  const rows = groups.map((group) => ({ ...group, label: name(group) }));
  return (
    <section class="report-card" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {rows.length === 0 ? (
        <p class="hint">{t('analytics.noData')}</p>
      ) : (
        <>
          <BarChart
            label={chartLabel}
            labels={rows.map((row) => row.label)}
            datasets={[
              { label: t('col.won'), data: rows.map((row) => row.won), colour: '#1f7a3d' },
              { label: t('col.lost'), data: rows.map((row) => row.lost), colour: '#a42e2e' },
              { label: t('col.open'), data: rows.map((row) => row.open), colour: '#2357c6' },
            ]}
            horizontal
            stacked
            locale={tag}
          />
          <p class="hint">{t('analytics.winRateHint')}</p>
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby={`${id}-title`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{column}</th>
                  <th scope="col">{t('col.items')}</th>
                  <th scope="col">{t('col.won')}</th>
                  <th scope="col">{t('col.lost')}</th>
                  <th scope="col">{t('col.open')}</th>
                  <th scope="col">{t('col.winRate')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.label}>
                    <th scope="row" data-user-content>
                      {row.label}
                    </th>
                    <td>{fmt.number(row.items)}</td>
                    <td>{fmt.number(row.won)}</td>
                    <td>{fmt.number(row.lost)}</td>
                    <td>{fmt.number(row.open)}</td>
                    <td>{row.win_rate === null ? '—' : t('unit.percent', { value: fmt.number(row.win_rate) })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
