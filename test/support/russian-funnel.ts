import fs from 'node:fs';
import path from 'node:path';

/** The test funnel with its words in both languages, as a Russian installation writes them. */
export const RUSSIAN_FUNNEL = fs
  .readFileSync(path.join(__dirname, '..', 'fixtures', 'lead-funnel.yaml'), 'utf8')
  .replace('name: New\n', 'name: Новый / New\n')
  .replace('name: In work\n', 'name: В работе / In work\n')
  .replace('name: Hand over — general\n', 'name: Передать в общий отдел / Hand over — general\n')
  .replace('name: Hand over — services\n', 'name: Передать в услуги / Hand over — services\n')
  .replace('    - id: converted\n      semantic: won', '    - id: converted\n      name: Сконвертирован / Converted\n      semantic: won')
  .replace('    - id: junk\n      semantic: lost', '    - id: junk\n      name: Брак / Junk\n      semantic: lost')
  .replace('{ id: no_budget, refused_by: client_refused }', '{ id: no_budget, label: Нет бюджета / No budget, refused_by: client_refused }')
  .replace('{ id: not_target, refused_by: we_refused }', '{ id: not_target, label: Не целевой / Not target, refused_by: we_refused }')
  .replace('product: { type: string, label: Product }', 'product: { type: string, label: Продукт / Product }');
