import type { ItemView, PipelineView } from '../../api/types';
import { useI18n } from '../../i18n';
import { paths } from '../../paths';
import { useSession } from '../../session';
import { fieldLabel, fieldValue, hasValue, initials, itemName, personName } from './fields';

/** What a card shows when the pipeline's `board.card_fields` says nothing. */
const DEFAULT_FIELDS = { lead: ['phone', 'email', 'company_name'], deal: ['amount', 'phone', 'company_name'] } as const;

/** Height of a card's row in a column (the virtual list places rows by it). */
export const CARD_HEIGHT = 104;

export function Card({
  item,
  pipeline,
  selected,
  onSelect,
  onMove,
  now,
}: {
  item: ItemView;
  pipeline: PipelineView;
  selected: boolean;
  onSelect: (item: ItemView, event: MouseEvent) => void;
  onMove: (item: ItemView) => void;
  /** The server's time, for ages; null until known. */
  now: number | null;
}) {
  const { t, fmt, locale, word } = useI18n();
  const { config } = useSession();
  const name = itemName(item);
  const responsible = personName(config, item.responsible);
  const fields = (pipeline.board?.card_fields ?? DEFAULT_FIELDS[item.kind]).filter((id) => hasValue(fieldValue(item, id))).slice(0, 3);

  const show = (id: string) => {
    const value = fieldValue(item, id);
    if (id === 'phone' && item.phone) return <a href={`tel:${item.phone}`}>{item.phone_display ?? item.phone}</a>;
    if (id === 'email' && item.email) return <a href={`mailto:${item.email}`}>{item.email}</a>;
    if (id === 'amount' && typeof value === 'number') return <span class="amount">{fmt.money(value)}</span>;
    if (id === 'responsible') return <span>{responsible}</span>;
    if (id === 'source' && typeof value === 'string') return <span>{word(config.source_labels[value] ?? value)}</span>;
    if (typeof value === 'number') return <span>{fmt.number(value)}</span>;
    return <span>{String(value)}</span>;
  };

  return (
    <article
      class={`card${selected ? ' selected' : ''}`}
      data-id={item.id}
      draggable={pipeline.can_move}
      onDragStart={(event) => {
        event.dataTransfer?.setData('text/plain', `${item.kind}:${item.id}`);
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
      }}
      aria-label={name}
    >
      <div class="card-top">
        <input
          type="checkbox"
          checked={selected}
          aria-label={t('board.select', { name })}
          onClick={(event) => {
            onSelect(item, event);
          }}
          onChange={() => undefined}
        />
        <a class="card-title" href={paths.item(item.kind, item.id)} data-user-content>
          {name}
        </a>
        {responsible && (
          <span class="initials" title={responsible} data-user-content>
            {initials(responsible)}
          </span>
        )}
      </div>
      <dl class="card-fields">
        {fields.map((id) => (
          <div key={id} data-user-content={id === 'source' || id === 'responsible' ? undefined : true}>
            <dt class="visually-hidden">{fieldLabel(config, locale, id)}</dt>
            <dd>{show(id)}</dd>
          </div>
        ))}
      </dl>
      <div class="card-bottom">
        <span class="age" title={t('board.inStageSince', { date: fmt.dateTime(item.entered_stage_at) })}>
          {now === null ? '' : t('board.inStage', { age: fmt.age(Date.parse(item.entered_stage_at), now) })}
        </span>
        {pipeline.can_move && (
          <button type="button" class="small" onClick={() => onMove(item)} aria-label={t('board.moveNamed', { name })}>
            {t('board.move')}
          </button>
        )}
      </div>
    </article>
  );
}
