/**
 * Just enough Russian morphology for a timeline: the grammatical gender of a person's name (for
 * the verb: «Анна перевела», «Семён перевёл») and its dative (for «уведомление Анне Петровой»).
 * Rules of thumb, as CRMs use them, not a dictionary: a name we cannot read (Latin letters, a
 * role) is left as written, and a parenthetical note («(руководитель продаж)») is kept as is.
 */

export type Gender = 'm' | 'f';

const CYRILLIC = /[а-яё]/i;

// Men's names that end in -а/-я, short forms included (Никита, Илья, Саша is taken as a man's).
const MALE_IN_A = new Set([
  'никита',
  'илья',
  'кузьма',
  'фома',
  'лука',
  'савва',
  'саша',
  'миша',
  'гриша',
  'паша',
  'лёша',
  'леша',
  'алёша',
  'алеша',
  'дима',
  'вова',
  'коля',
  'толя',
  'петя',
  'федя',
  'юра',
  'слава',
  'ваня',
  'серёжа',
  'сережа',
  'костя',
  'витя',
  'гоша',
  'жора',
]);
// Women's names that end in a soft sign.
const FEMALE_IN_SOFT_SIGN = new Set(['любовь', 'нинель', 'адель', 'юдифь', 'эсфирь', 'руфь']);

function splitNote(name: string): { words: string[]; note: string } {
  const open = name.indexOf(' (');
  const main = open === -1 ? name : name.slice(0, open);
  return { words: main.trim().split(/\s+/).filter(Boolean), note: open === -1 ? '' : name.slice(open) };
}

/** The gender of a person's name by its first word; a name we cannot read counts as a man's. */
export function genderOf(name: string): Gender {
  const first = splitNote(name).words[0]?.toLowerCase() ?? '';
  if (!CYRILLIC.test(first)) return /[a]$/.test(first) && !['luka', 'nikita', 'ilya', 'sasha', 'misha'].includes(first) ? 'f' : 'm';
  if (FEMALE_IN_SOFT_SIGN.has(first)) return 'f';
  if (/[ая]$/.test(first) && !MALE_IN_A.has(first)) return 'f';
  return 'm';
}

/** Keeps the capitalisation of the word it replaces the ending of. */
function swapEnding(word: string, cut: number, ending: string): string {
  return word.slice(0, word.length - cut) + ending;
}

function dativeFirstName(word: string, gender: Gender): string {
  const lower = word.toLowerCase();
  if (/ия$/.test(lower)) return swapEnding(word, 1, 'и'); // Мария → Марии
  if (/[ая]$/.test(lower)) return swapEnding(word, 1, 'е'); // Анна → Анне, Илья → Илье
  if (gender === 'f') return /ь$/.test(lower) ? swapEnding(word, 1, 'и') : word; // Любовь → Любови; Ирэн
  if (/[йь]$/.test(lower)) return swapEnding(word, 1, 'ю'); // Георгий → Георгию, Игорь → Игорю
  if (/[бвгджзклмнпрстфхцчшщ]$/.test(lower)) return `${word}у`; // Семён → Семёну
  return word;
}

function dativeOtherName(word: string, gender: Gender): string {
  const lower = word.toLowerCase();
  if (/(ович|евич|ич)$/.test(lower)) return `${word}у`; // Иванович → Ивановичу
  if (/(овна|евна|ична|инична)$/.test(lower)) return swapEnding(word, 1, 'е'); // Ивановна → Ивановне
  if (gender === 'f') {
    if (/(ова|ева|ёва|ина|ына)$/.test(lower)) return swapEnding(word, 1, 'ой'); // Петрова → Петровой
    if (/ая$/.test(lower)) return swapEnding(word, 2, 'ой'); // Волконская → Волконской
    return word; // Шевчук, Гончаренко: not declined for a woman
  }
  if (/(ский|цкий)$/.test(lower)) return swapEnding(word, 2, 'ому'); // Вяземский → Вяземскому
  if (/[гкх]ий$/.test(lower)) return swapEnding(word, 2, 'ому'); // Горький → Горькому
  if (/(ый|ой)$/.test(lower)) return swapEnding(word, 2, 'ому'); // Толстой → Толстому
  if (/ий$/.test(lower)) return swapEnding(word, 2, 'ему');
  if (/(ых|их)$/.test(lower)) return word; // Черных: never declined
  if (/ь$/.test(lower)) return swapEnding(word, 1, 'ю');
  if (/[ая]$/.test(lower)) return swapEnding(word, 1, 'е');
  if (/[бвгджзклмнпрстфхцчшщ]$/.test(lower)) return `${word}у`; // Козлов → Козлову
  return word;
}

/** «Анна Петрова» → «Анне Петровой», «Георгий Морозов (руководитель продаж)» → «Георгию Морозову (руководитель продаж)». */
export function dativeOf(name: string): string {
  const { words, note } = splitNote(name);
  if (words.length === 0 || !words.every((word) => CYRILLIC.test(word))) return name;
  const gender = genderOf(name);
  const declined = words.map((word, index) => (index === 0 ? dativeFirstName(word, gender) : dativeOtherName(word, gender)));
  return declined.join(' ') + note;
}
