import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');

describe('the dental clinic example', () => {
  let output = '';
  beforeAll(async () => {
    const { stdout } = await run('node', [BIN, 'simulate', path.join(ROOT, 'examples', 'clinic.scenario.yaml'), '--config', path.join(ROOT, 'examples', 'clinic.yaml')], { cwd: ROOT, timeout: 90000 });
    output = stdout;
  }, 100000);

  it('hands every new patient to Irina by name', () => {
    for (const patient of ['Анна Кузнецова', 'Олег Смирнов', 'Мария Волкова']) expect(output).toMatch(new RegExp(`\\[lead #\\d ${patient}\\] to_irina \\(assign\\) done: responsible \\(none\\) → irina`));
  });

  it('does not welcome a patient twice when she comes back to new, and says why', () => {
    expect(output).toMatch(/\+30m .*Анна Кузнецова\] welcome_sms \(send_message\) skipped: not run again: the item entered this stage before \(reenter: never\)/);
    expect(output).toMatch(/\+30m .*Анна Кузнецова\] call_task \(create_task\) skipped: .*less than 30d ago \(reenter: after 30d\)/);
    expect(output.match(/Здравствуйте, Анна Кузнецова!/g)).toHaveLength(1);
  });

  it('gives each patient one wording of the reminder, the same one when booked again', () => {
    const anna = [...output.matchAll(/Анна Кузнецова\] reminder_text \(split\) done: variant (\w+)/g)].map((match) => match[1]);
    expect(anna).toHaveLength(2);
    expect(new Set(anna).size).toBe(1);
    expect(output).toMatch(/Олег Смирнов\] reminder_text \(split\) done: variant \w+/);
  });

  it('reminds a day and two hours before the appointment, and moves the reminders when it moves', () => {
    expect(output).toMatch(/\+1d1h\s+Tue 03 Mar 11:00:00\s+run\s+\[lead #1 Анна Кузнецова\] remind_\w+ \(send_message\) done/);
    expect(output).toMatch(/Wed 04 Mar 09:00:00\s+run\s+\[lead #1 Анна Кузнецова\] remind_2h \(send_message\) done/);
    // Oleg's visit moved from Thursday 16:00 to Friday 12:00: his reminders went with it
    expect(output).toMatch(/Олег Смирнов\] field_changed: .*appointment_at changed: remind_2h moved to 2026-03-06T07:00:00.000Z/);
    expect(output).toMatch(/Thu 05 Mar 12:00:00\s+run\s+\[lead #2 Олег Смирнов\] remind_\w+ \(send_message\) done/);
    expect(output).toMatch(/Fri 06 Mar 10:00:00\s+run\s+\[lead #2 Олег Смирнов\] remind_2h \(send_message\) done/);
    expect(output).not.toMatch(/Wed 04 Mar 16:00:00\s+run\s+\[lead #2/);
  });

  it('writes the appointment in Moscow time and Russian words, the services by their labels, not the stored values', () => {
    expect(output).toMatch(/Напоминаем: приём завтра, 4 марта в 11:00 \(осмотр, чистка\)\. Клиника «Улыбка»\./);
    expect(output).toMatch(/Олег Смирнов, ждём вас 6 марта в 12:00!/);
    expect(output).toMatch(/Через два часа, в 12:00, ваш приём/);
    expect(output).toMatch(/Позвонить пациенту Олег Смирнов, \+7 903 765-43-21/);
    expect(output).not.toMatch(/2026-03-0\dT\d\d:\d\d:\d\d\.\d{3}Z\)/);
  });

  it('cancels the reminders of a cleared appointment, and a cancelled visit is lost with its reason', () => {
    expect(output).toMatch(/Мария Волкова\] remind_2h \(send_message\) cancelled: appointment_at was cleared/);
    expect(output).toMatch(/Мария Волкова\] booked → cancelled \(patient_cancelled, client_refused\) by trigger:visit_cancelled/);
    expect(output).toMatch(/lead #3 Мария Волкова \(maria\): cancelled/);
  });

  it('validate --explain spells out the timing and re-entry rule, defaults included', async () => {
    const { stdout } = await run('node', [BIN, 'validate', path.join(ROOT, 'examples', 'clinic.yaml'), '--explain'], { cwd: ROOT, timeout: 60000 });
    expect(stdout).toMatch(/welcome_sms \(send_message\): on entry; reenter never \(the stage’s\)/);
    expect(stdout).toMatch(/call_task \(create_task\): on entry; reenter after 30d/);
    expect(stdout).toMatch(/remind_2h \(send_message\): 2h before appointment_at; reenter always \(default\)/);
    expect(stdout).toMatch(/feedback \(send_message\): 3h after appointment_at in working hours/);
  }, 70000);
});
