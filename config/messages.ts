/**
 * What a config issue says, in one place: each issue carries a stable `code` and its `params`,
 * and the words come from here per language. English is what `robots validate` prints and what
 * `message` holds; the studio asks for the reader's language. Pure: the board's server side, the
 * CLI and the worker thread all render from the same table.
 */

export type IssueLocale = 'en' | 'ru';
export type IssueParam = string | number | string[];
export type IssueParams = Record<string, IssueParam>;

/** A message before it has words: a code and what fills it. */
export interface Said {
  code: IssueCode;
  params: IssueParams;
}

type Words = Record<IssueLocale, (params: IssueParams) => string>;

const str = (value: IssueParam | undefined): string => (Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value));
const list = (value: IssueParam | undefined): string[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [String(value)]);
/** A YAML key or value in Russian text: in guillemets, so the words around it stay Russian. */
const q = (value: IssueParam | undefined): string => `«${str(value)}»`;
const qList = (value: IssueParam | undefined): string => list(value).map(q).join(', ');

/** What kind of name was not found, in the genitive ("нет этапа …"). A kind not here is a YAML key, quoted. */
const KIND_RU: Record<string, string> = {
  stage: 'этапа',
  team: 'команды',
  user: 'пользователя',
  field: 'поля',
  'date field': 'поля с датой',
  template: 'шаблона',
  recipient: 'получателя',
  'lead status': 'статуса лида',
  'deal pipeline': 'воронки сделок',
  robot: 'робота',
  'robot of this stage': 'робота этого этапа',
  form: 'формы',
  hook: 'хука',
  reason: 'причины',
  role: 'роли',
  'robot type': 'типа робота',
  'trigger type': 'типа триггера',
  'event type': 'типа события',
  value: 'значения',
};

const ITEM_RU: Record<string, string> = { lead: 'лидами', deal: 'сделками' };
const BLOCK_RU: Record<string, string> = { branch: 'ветвления', split: 'сплита' };
const TYPE_RU: Record<string, string> = {
  string: 'строка',
  number: 'число',
  int: 'целое число',
  boolean: 'да или нет (true/false)',
  object: 'словарь (ключ: значение)',
  array: 'список',
  null: 'пусто',
  undefined: 'ничего',
  date: 'дата',
};

function hintEn(params: IssueParams): string {
  if (params.suggestion) return ` (did you mean "${str(params.suggestion)}"?)`;
  return list(params.known).length ? ` (known: ${str(params.known)})` : '';
}
function hintRu(params: IssueParams): string {
  if (params.suggestion) return ` (может быть, ${q(params.suggestion)}?)`;
  return list(params.known).length ? ` (известны: ${qList(params.known)})` : '';
}
function unknownRu(params: IssueParams): string {
  const kind = str(params.kind);
  const what = KIND_RU[kind];
  return what ? `нет ${what} ${q(params.value)}${hintRu(params)}` : `у ключа ${q(kind)} нет значения ${q(params.value)}${hintRu(params)}`;
}

const ITEM_RU_ON: Record<string, string> = { lead: 'у лида', deal: 'у сделки' };

function unknownVariableEn(p: IssueParams): string {
  const subject = `unknown variable "${str(p.name)}"${p.inside ? ` inside ${str(p.inside)}` : ''}${p.only_on ? ` on a ${str(p.only_on)}` : ''}`;
  if (p.no_keys) return `${subject}: ${p.owner ? str(p.owner) : 'the context'} has no keys`;
  if (p.suggestion) return `${subject} (did you mean "${str(p.suggestion)}"?)`;
  const total = Number(p.total ?? list(p.known).length);
  const listed = total > 20 ? `${str(p.known)}, … (${total} in all)` : str(p.known);
  return `${subject}: ${p.owner ? `${str(p.owner)} has` : `${str(p.readers)} read`} ${listed}`;
}
function unknownVariableRu(p: IssueParams): string {
  const subject = `нет переменной ${q(p.name)}${p.inside ? ` внутри ${q(p.inside)}` : ''}${p.only_on ? ` ${ITEM_RU_ON[str(p.only_on)] ?? q(p.only_on)}` : ''}`;
  if (p.no_keys) return `${subject}: ${p.owner ? `у ${q(p.owner)}` : 'в контексте'} нет ключей`;
  if (p.suggestion) return `${subject} (может быть, ${q(p.suggestion)}?)`;
  const total = Number(p.total ?? list(p.known).length);
  const listed = total > 20 ? `${qList(p.known)}, … (всего ${total})` : qList(p.known);
  return `${subject}: ${p.owner ? `у ${q(p.owner)} есть` : p.readers === 'templates' ? 'шаблонам доступны' : 'условиям доступны'} ${listed}`;
}

/** `, at line 2, column 5 of the text`: where inside a text of the file a problem is (the issue points at its key). */
function inTextEn(p: IssueParams): string {
  return p.text_line ? `line ${str(p.text_line)}, column ${str(p.text_col)} of the ${str(p.part)}` : `column ${str(p.text_col)} of the ${str(p.part)}`;
}
function inTextRu(p: IssueParams): string {
  return `${p.text_line ? `строка ${str(p.text_line)}, ` : ''}столбец ${str(p.text_col)} в ${q(p.part)}`;
}
const inner = (p: IssueParams): Said => ({ code: (str(p.inner) in CATALOG ? str(p.inner) : 'text') as IssueCode, params: p });

/** Handlebars' parse error (config/context-paths.ts parseErrorText) in Russian: where, and what it found there. */
function handlebarsRu(text: string): string {
  const line = /on line (\d+)/.exec(text)?.[1];
  const found = /unexpected (.+)$/.exec(text)?.[1];
  const where = line ? `строка ${line}` : 'ошибка разбора';
  if (found === undefined) return `${where}, ошибка разбора ${q(text)}`;
  return found.startsWith('end of text') ? `${where}: текст кончился раньше времени (блок не закрыт?)` : `${where}: неожиданное ${q(found)}`;
}

const CATALOG = {
  unknown_key: { en: (p) => `unknown key "${str(p.key)}"`, ru: (p) => `неизвестный ключ ${q(p.key)}` },
  missing_key: { en: (p) => `missing required key "${str(p.key)}"`, ru: (p) => `не хватает обязательного ключа ${q(p.key)}` },
  unknown_name: { en: (p) => `unknown ${str(p.kind)} "${str(p.value)}"${hintEn(p)}`, ru: unknownRu },
  unknown_robot_in_stage: { en: (p) => `unknown robot "${str(p.value)}"${hintEn(p)} in this stage`, ru: (p) => `на этом этапе нет робота ${q(p.value)}${hintRu(p)}` },
  needs_type: { en: (p) => `${str(p.kind)} needs \`type:\`; known: ${str(p.known)}`, ru: (p) => `у ${KIND_RU[str(p.kind)]?.replace(/^типа /, '') ?? q(p.kind)} нет ключа «type» (известны: ${qList(p.known)})` },
  wrong_type: {
    en: (p) => str(p.text),
    ru: (p) => `ожидается ${TYPE_RU[str(p.expected)] ?? q(p.expected)}${p.received ? `, а здесь ${TYPE_RU[str(p.received)] ?? q(p.received)}` : ''}`,
  },
  one_of: { en: (p) => str(p.text), ru: (p) => `ожидается одно из: ${qList(p.values)}` },
  too_small: { en: (p) => str(p.text), ru: (p) => (p.origin === 'string' ? 'не может быть пустым' : p.origin === 'array' ? `нужно не меньше элементов: ${str(p.minimum)}` : `должно быть не меньше ${str(p.minimum)}`) },
  too_big: { en: (p) => str(p.text), ru: (p) => (p.origin === 'string' ? `длиннее ${str(p.maximum)} символов` : p.origin === 'array' ? `больше ${str(p.maximum)} элементов` : `должно быть не больше ${str(p.maximum)}`) },
  bad_format: { en: (p) => str(p.text), ru: () => 'значение в неверном формате' },
  not_multiple_of: { en: (p) => str(p.text), ru: (p) => `должно делиться на ${str(p.divisor)}` },
  invalid_value: { en: (p) => str(p.text), ru: () => 'недопустимое значение' },

  role_one_of: { en: (p) => `a role is one of ${str(p.known)}`, ru: (p) => `роль — одна из: ${qList(p.known)}` },
  name_shape: { en: () => 'a name is one string, or the same words in both languages: {ru: Новый, en: New}', ru: () => 'название — одна строка или те же слова на двух языках: «{ru: Новый, en: New}»' },
  id_format: { en: () => 'ids are lower_snake_case: letters, digits and _', ru: () => 'идентификатор пишется строчными латинскими буквами, цифрами и «_»' },
  login_format: { en: () => 'logins use letters, digits, _ . -', ru: () => 'логин — латинские буквы, цифры и «_», «.», «-»' },
  bad_duration: {
    en: (p) => `bad duration "${str(p.value)}": write 30s, 10m, 2h, 3d, 1w or combine them (1d12h)`,
    ru: (p) => `неверная длительность ${q(p.value)}: пишите «30s», «10m», «2h», «3d», «1w» или сочетайте их («1d12h»)`,
  },
  bad_offset: { en: (p) => `bad offset "${str(p.value)}": write -1d (a day before), 2h or +2h (after), -1d12h`, ru: (p) => `неверный сдвиг ${q(p.value)}: пишите «-1d» (за день до), «2h» или «+2h» (после), «-1d12h»` },
  bad_reenter_duration: { en: () => 'bad duration: write 30d, 2w, 12h', ru: () => 'неверная длительность: пишите «30d», «2w», «12h»' },
  time_of_day: { en: () => 'time of day is HH:MM, 24-hour', ru: () => 'время суток пишется как ЧЧ:ММ, от 00:00 до 23:59' },
  iso_date: { en: () => 'dates are YYYY-MM-DD', ru: () => 'даты пишутся как ГГГГ-ММ-ДД' },
  unknown_time_zone: { en: (p) => `unknown time zone "${str(p.value)}"`, ru: (p) => `неизвестный часовой пояс ${q(p.value)}` },
  away_range: { en: () => 'an away range ends on or after its start (`from` ≤ `to`)', ru: () => 'отсутствие кончается не раньше, чем начинается («from» ≤ «to»)' },
  currency_format: { en: () => 'a currency is an ISO 4217 code: RUB, USD, EUR', ru: () => 'валюта — код ISO 4217: «RUB», «USD», «EUR»' },
  template_needs_text: { en: () => 'a template needs `text` or `file`', ru: () => 'шаблону нужен «text» или «file»' },
  rate_limit_format: { en: () => 'rate limits are N/s, N/m or N/h', ru: () => 'предел частоты пишется как N/s, N/m или N/h (в секунду, минуту, час)' },
  pipeline_needs_stage: { en: () => 'a pipeline needs at least one stage', ru: () => 'в воронке нужен хотя бы один этап' },
  split_two_variants: { en: () => 'a split needs at least two variants', ru: () => 'сплиту нужны хотя бы два варианта' },

  reserved_pipeline: { en: (p) => `"${str(p.name)}" is reserved for lead statuses`, ru: (p) => `имя ${q(p.name)} занято статусами лидов` },
  duplicate_login: { en: (p) => `duplicate user login "${str(p.login)}"`, ru: (p) => `логин ${q(p.login)} повторяется` },
  nobody_on_duty_needs_manager: { en: () => 'when_nobody_on_duty: manager needs the team’s `manager`', ru: () => '«when_nobody_on_duty: manager» требует у команды ключа «manager»' },
  field_needs_values: { en: (p) => `a${p.type === 'enum' ? 'n' : ''} ${str(p.type)} field needs \`values\``, ru: (p) => `полю типа ${q(p.type)} нужен список «values»` },
  labels_need_values: { en: () => 'only enum and multi_select fields with `values` take `labels`', ru: () => '«labels» бывают только у полей «enum» и «multi_select» со списком «values»' },
  currency_money_only: { en: () => 'only money fields take a `currency`', ru: () => '«currency» бывает только у полей типа «money»' },
  standard_field: { en: (p) => `"${str(p.field)}" is a standard field already`, ru: (p) => `${q(p.field)} — уже стандартное поле` },
  duplicate_stage: { en: (p) => `duplicate stage id "${str(p.id)}"`, ru: (p) => `этап ${q(p.id)} повторяется` },
  lost_needs_reasons: { en: () => 'a lost stage needs `reasons` (each with `refused_by`)', ru: () => 'проигрышному этапу нужны «reasons» (у каждой — «refused_by»)' },
  reasons_lost_only: { en: () => 'only lost stages take `reasons`', ru: () => '«reasons» бывают только у проигрышных этапов' },
  move_roles_vs_manual: {
    en: () => '`move_roles` says who may move items here by hand, and `manual: false` says nobody may: keep one',
    ru: () => '«move_roles» говорит, кто может переносить сюда вручную, а «manual: false» — что никто: оставьте одно',
  },
  reopen_roles_won_only: { en: () => 'only won stages take `reopen_roles`', ru: () => '«reopen_roles» бывают только у выигрышных этапов' },
  duplicate_robot: { en: (p) => `duplicate robot id "${str(p.id)}" (robot ids are unique in the whole file)`, ru: (p) => `робот ${q(p.id)} повторяется (идентификаторы роботов уникальны во всём файле)` },
  robot_waits_for_itself: { en: () => 'a robot cannot wait for itself', ru: () => 'робот не может ждать сам себя' },
  timed_from_non_date: {
    en: (p) => `"${str(p.field)}" is a ${str(p.type)} field; a robot is timed from a date or datetime field`,
    ru: (p) => `${q(p.field)} — поле типа ${q(p.type)}; время робота отсчитывается от поля с датой или датой и временем`,
  },
  after_with_at_field: {
    en: () => '`after` counts from entering the stage and `at: {field}` from the field: write the offset in `at`',
    ru: () => '«after» считается от входа в этап, а «at: {field}» — от поля: напишите сдвиг в «at»',
  },
  robot_wrong_kind: {
    en: (p) => `${str(p.type)} works on ${list(p.applies).join(' and ')}s, not on ${str(p.kind)}s`,
    ru: (p) =>
      `робот ${q(p.type)} работает только с ${list(p.applies)
        .map((kind) => ITEM_RU[kind] ?? q(kind))
        .join(' и ')}, не со ${ITEM_RU[str(p.kind)] ?? q(p.kind)}`,
  },
  duplicate_trigger: { en: (p) => `duplicate trigger id "${str(p.id)}"`, ru: (p) => `триггер ${q(p.id)} повторяется` },
  lost_needs_reason: {
    en: (p) => `"${str(p.stage)}" is a lost stage: ${str(p.what)} needs \`reason:\`${list(p.known).length ? ` (one of ${str(p.known)})` : ''}`,
    ru: (p) => `${q(p.stage)} — проигрышный этап: нужна «reason:»${list(p.known).length ? ` (одна из: ${qList(p.known)})` : ''}`,
  },
  no_such_reason: { en: (p) => `stage "${str(p.stage)}" has no reason "${str(p.reason)}"${hintEn(p)}`, ru: (p) => `у этапа ${q(p.stage)} нет причины ${q(p.reason)}${hintRu(p)}` },
  block_robot_before: {
    en: (p) => `"${str(p.id)}" is written before the ${str(p.what)} "${str(p.robot)}": a ${str(p.what)} runs robots written after it`,
    ru: (p) => `${q(p.id)} написан раньше ${BLOCK_RU[str(p.what)] ?? q(p.what)} ${q(p.robot)}: оно запускает только роботов, написанных после него`,
  },
  block_robot_claimed: { en: (p) => `"${str(p.id)}" is already in a block of "${str(p.owner)}"`, ru: (p) => `${q(p.id)} уже входит в блок ${q(p.owner)}` },
  block_robot_waits: {
    en: (p) => `"${str(p.id)}" has after_robot; a robot in a ${str(p.what)} waits for the ${str(p.what)}`,
    ru: (p) => `у ${q(p.id)} есть «after_robot»; робот внутри ${BLOCK_RU[str(p.what)] ?? q(p.what)} ждёт его самого`,
  },
  after_robot_cycle: { en: (p) => `after_robot forms a cycle through "${str(p.id)}"`, ru: (p) => `«after_robot» замыкается в круг через ${q(p.id)}` },
  not_a_phone: { en: (p) => `"${str(p.phone)}" is not a phone number (default region ${str(p.region)})`, ru: (p) => `${q(p.phone)} — не номер телефона (регион по умолчанию ${q(p.region)})` },
  json_logic_one_operator: {
    en: (p) => `a json-logic rule has exactly one operator, found ${str(p.count)} (${str(p.operators) || 'none'})`,
    ru: (p) => `в правиле условия ровно один оператор, а здесь ${str(p.count)}${list(p.operators).length ? ` (${qList(p.operators)})` : ''}`,
  },
  json_logic_unknown_operator: { en: (p) => `unknown json-logic operator "${str(p.operator)}"`, ru: (p) => `неизвестный оператор условия ${q(p.operator)}` },
  file_unreadable: { en: (p) => `cannot read: ${str(p.reason)}`, ru: (p) => `файл не читается (${q(p.reason)})` },
  file_utf16: { en: () => 'the file is saved as UTF-16; save it as UTF-8', ru: () => 'файл сохранён в кодировке «UTF-16»; сохраните его в «UTF-8»' },
  file_not_utf8: {
    en: (p) => `not UTF-8: byte ${str(p.byte)} here is no UTF-8 character; save the file as UTF-8 (not Windows-1251 or ANSI)`,
    ru: (p) => `не «UTF-8»: байт ${q(p.byte)} здесь не символ «UTF-8»; сохраните файл в «UTF-8» (не «Windows-1251» и не «ANSI»)`,
  },
  template_file_missing: { en: (p) => `template file not found: ${str(p.file)}`, ru: (p) => `нет файла шаблона ${q(p.file)}` },
  file_too_big: { en: (p) => `the file is over ${str(p.size)}, the most a config may be`, ru: (p) => `файл больше ${str(p.size).replace('MB', 'МБ').replace('KB', 'КБ')} — это предел для конфигурации` },
  duplicate_yaml_key: { en: (p) => `Map keys must be unique; "${str(p.key)}" is repeated`, ru: (p) => `ключи в словаре не повторяются, а ${q(p.key)} повторяется` },
  too_many_aliases: {
    en: (p) => `more than ${str(p.max)} anchors (&name) and aliases (*name) in one file; write the values out`,
    ru: (p) => `больше ${str(p.max)} якорей («&имя») и ссылок («*имя») в одном файле; напишите значения полностью`,
  },
  unknown_alias: { en: (p) => `unknown alias "*${str(p.name)}": no anchor "&${str(p.name)}" before it`, ru: (p) => `ссылка ${q(`*${str(p.name)}`)} ни на что не указывает: выше нет якоря ${q(`&${str(p.name)}`)}` },
  alias_in_own_anchor: {
    en: (p) => `alias "*${str(p.name)}" is inside its own anchor "&${str(p.name)}": the value would repeat forever`,
    ru: (p) => `ссылка ${q(`*${str(p.name)}`)} стоит внутри своего же якоря ${q(`&${str(p.name)}`)}: значение повторялось бы бесконечно`,
  },
  alias_bomb: {
    en: (p) => `aliases expand to more than ${str(p.max)} values (an alias bomb?); write the values out or use fewer aliases`,
    ru: (p) => `ссылки разворачиваются больше чем в ${str(p.max)} значений; напишите значения полностью или используйте меньше ссылок`,
  },
  nested_too_deep: { en: (p) => `nested more than ${str(p.max)} levels deep`, ru: (p) => `вложенность глубже ${str(p.max)} уровней` },
  too_dense: {
    en: (p) => `more than ${str(p.max)} YAML tokens (keys, values, punctuation) by here; a config this dense is refused`,
    ru: (p) => `к этому месту больше ${str(p.max)} элементов разметки (ключей, значений, знаков); такая плотная конфигурация не принимается`,
  },
  nul_byte: {
    en: (p) => `a NUL byte (${str(p.character)}) is not allowed in YAML; delete it (most editors show nothing there)`,
    ru: (p) => `нулевой байт (${str(p.character)}) в YAML недопустим; удалите его (большинство редакторов его не показывают)`,
  },
  control_character: { en: (p) => `the invisible control character ${str(p.character)} is not allowed in YAML; delete it`, ru: (p) => `невидимый управляющий символ ${str(p.character)} в YAML недопустим; удалите его` },
  yaml_syntax: { en: (p) => str(p.text), ru: (p) => `${YAML_RU[str(p.yaml)] ?? 'ошибка синтаксиса YAML'}` },
  unknown_variable: { en: unknownVariableEn, ru: unknownVariableRu },
  unknown_partial: { en: (p) => `unknown partial "${str(p.name)}": templates have no partials`, ru: (p) => `нет вложенного шаблона ${q(p.name)}: в шаблонах их не бывает` },
  helper_needs_arguments: { en: (p) => `{{${str(p.name)}}} needs ${str(p.usage)}`, ru: (p) => `помощнику ${q(`{{${str(p.name)}}}`)} нужно: ${q(p.usage)}` },
  helper_too_many_arguments: {
    en: (p) => `{{${str(p.name)}}} takes ${str(p.most)} argument${p.most === 1 ? '' : 's'} (${str(p.usage)})`,
    ru: (p) => `помощник ${q(`{{${str(p.name)}}}`)} принимает не больше ${str(p.most)} (${q(p.usage)})`,
  },
  helper_argument_not_text: {
    en: (p) => `the ${str(p.argument)} of {{${str(p.name)}}} is text in quotes, not ${str(p.written)}${p.example ? ` (e.g. "${str(p.example)}")` : ''}`,
    ru: (p) => `${q(p.argument)} у помощника ${q(`{{${str(p.name)}}}`)} — текст в кавычках, а не ${q(p.written)}${p.example ? ` (например, ${q(`"${str(p.example)}"`)})` : ''}`,
  },
  helper_unknown_option: {
    en: (p) => `{{${str(p.name)}}} has no option "${str(p.option)}"${p.suggestion ? ` (did you mean "${str(p.suggestion)}"?)` : list(p.known).length ? ` (options: ${str(p.known)})` : ' (it takes no options)'}`,
    ru: (p) =>
      `у помощника ${q(`{{${str(p.name)}}}`)} нет параметра ${q(p.option)}${p.suggestion ? ` (может быть, ${q(p.suggestion)}?)` : list(p.known).length ? ` (есть: ${qList(p.known)})` : ' (параметров у него нет)'}`,
  },
  unknown_helper: {
    en: (p) => `unknown helper "${str(p.name)}"${p.suggestion ? ` (did you mean "${str(p.suggestion)}"?)` : ` (helpers: ${str(p.known)})`}`,
    ru: (p) => `нет помощника ${q(p.name)}${p.suggestion ? ` (может быть, ${q(p.suggestion)}?)` : ` (есть: ${qList(p.known)})`}`,
  },
  each_only_variable: { en: (p) => `"${str(p.name)}" is only set inside {{#each}}`, ru: (p) => `${q(p.name)} бывает только внутри «{{#each}}»` },
  unknown_data_variable: {
    en: (p) => `unknown variable "${str(p.name)}" (data variables are @root, and @index, @key, @first, @last inside {{#each}})`,
    ru: (p) => `нет переменной ${q(p.name)} (служебные переменные — «@root», а внутри «{{#each}}» ещё «@index», «@key», «@first», «@last»)`,
  },
  in_text: { en: (p) => `${render(inner(p))}, at ${inTextEn(p)}`, ru: (p) => `${render(inner(p), 'ru')}; ${inTextRu(p)}` },
  template_file_problem: {
    en: (p) => `template file ${str(p.file)}:${str(p.text_line)}:${str(p.text_col)}: ${render(inner(p))}`,
    ru: (p) => `файл шаблона ${q(p.file)}, строка ${str(p.text_line)}, столбец ${str(p.text_col)}: ${render(inner(p), 'ru')}`,
  },
  template_does_not_compile: { en: (p) => `template does not compile: ${str(p.text)}`, ru: (p) => `шаблон не разбирается: ${handlebarsRu(str(p.text))}` },
  does_not_compile: { en: (p) => `${str(p.part)} does not compile: ${str(p.text)}`, ru: (p) => `${q(p.part)} не разбирается как шаблон: ${handlebarsRu(str(p.text))}` },
  /** Words with no code yet (a library's, or a check not catalogued): shown as they came, in English. */
  text: { en: (p) => str(p.text), ru: (p) => str(p.text) },
} satisfies Record<string, Words>;

/** The yaml library's error codes (YAMLError.code), in Russian. */
const YAML_RU: Record<string, string> = {
  BAD_INDENT: 'ошибка YAML: неверный отступ',
  BAD_SCALAR_START: 'ошибка YAML: так значение начинаться не может (возьмите его в кавычки)',
  BLOCK_AS_IMPLICIT_KEY: 'ошибка YAML: блок на месте ключа',
  MISSING_CHAR: 'ошибка YAML: не хватает символа (кавычки или скобки?)',
  MULTILINE_IMPLICIT_KEY: 'ошибка YAML: ключ занимает несколько строк (не хватает двоеточия?)',
  MULTIPLE_DOCS: 'ошибка YAML: в файле несколько документов; конфигурация — один (вторая строка «---»?)',
  TAB_AS_INDENT: 'ошибка YAML: отступ табуляцией; пишите пробелы',
  UNEXPECTED_TOKEN: 'ошибка YAML: неожиданный символ',
  DUPLICATE_KEY: 'ошибка YAML: ключ повторяется',
  BAD_ALIAS: 'ошибка YAML: неверная ссылка (*имя)',
  BAD_DIRECTIVE: 'ошибка YAML: неверная директива',
  BLOCK_IN_FLOW: 'ошибка YAML: блок внутри скобок',
  IMPOSSIBLE: 'ошибка YAML',
  KEY_OVER_1024_CHARS: 'ошибка YAML: ключ длиннее 1024 символов',
  MISSING_ANCHOR: 'ошибка YAML: ссылка на несуществующий якорь',
  UNEXPECTED_DOC_END: 'ошибка YAML: документ кончился раньше времени',
  TOO_DEEP: 'ошибка YAML: слишком глубокая вложенность',
};

export type IssueCode = keyof typeof CATALOG;

export function say(code: IssueCode, params: IssueParams = {}): Said {
  return { code, params };
}

/** The words of a message in a language (English when none is asked for). */
export function render(said: Said, locale: IssueLocale = 'en'): string {
  const words: Words = CATALOG[said.code] ?? CATALOG.text;
  return words[locale](said.params);
}

/** A message that has words but no code yet. */
export function asSaid(message: string | Said): Said {
  return typeof message === 'string' ? say('text', { text: message }) : message;
}

/** `unknown stage "hto" (did you mean "hot"?)` as a code: the suggestion, or the known names when nothing is close. */
export function unknownNameSaid(kind: string, value: string, suggestion: string | undefined, known: string[]): Said {
  return say('unknown_name', suggestion ? { kind, value, suggestion } : { kind, value, known });
}

/**
 * A zod error map can only answer text. The schema's own messages are made here, and the code
 * and params behind each text are kept beside it so config/issues.ts can give the issue its code.
 */
const madeForZod = new Map<string, Said>();
/** Texts made from what a file says (an unknown role's name): bounded, unlike the fixed ones. */
const madeFromInput = new Map<string, Said>();
export function zodText(said: Said): string {
  const text = render(said);
  const made = Object.keys(said.params).length === 0 ? madeForZod : madeFromInput;
  if (madeFromInput.size > 10_000) madeFromInput.clear();
  made.set(text, said);
  return text;
}
export function saidForZodText(text: string): Said | undefined {
  return madeForZod.get(text) ?? madeFromInput.get(text);
}

/** An issue's words in a language: from its code when it has one, else as it was written. */
export function issueMessage(issue: { message: string; code?: string; params?: IssueParams }, locale: IssueLocale = 'en'): string {
  if (issue.code === undefined || !(issue.code in CATALOG)) return issue.message;
  return render({ code: issue.code as IssueCode, params: issue.params ?? {} }, locale);
}
