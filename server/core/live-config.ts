import { calendarFromConfig, type WorkingCalendar } from './calendar';
import type { CompiledConfig } from './compiled-config';
import { resolvePublicUrl } from './public-url';

/**
 * The config every service reads, swapped whole by a reload (semantics 8): a service holds this,
 * never a config of its own, so a run scheduled before a reload runs with the robot as it now stands.
 */
export class LiveConfig {
  private compiled: CompiledConfig;
  private workingCalendar: WorkingCalendar;
  private listeningAt: string | undefined;

  /** `envPublicUrl`: PUBLIC_URL, how this deployment is reached; it wins over the config's `public_url`. */
  constructor(
    config: CompiledConfig,
    private readonly envPublicUrl?: string,
  ) {
    this.compiled = config;
    this.workingCalendar = calendarFromConfig(config.source);
  }

  get current(): CompiledConfig {
    return this.compiled;
  }

  /** The working calendar of the current config (its time zone, days, hours and holidays). */
  get calendar(): WorkingCalendar {
    return this.workingCalendar;
  }

  /** Where links in messages and provider callbacks point. */
  get publicUrl(): string {
    return resolvePublicUrl(this.compiled, this.envPublicUrl, this.listeningAt);
  }

  /** Where the HTTP server really listens: the links' base when neither PUBLIC_URL nor `public_url` says. */
  listening(url: string): void {
    this.listeningAt = url;
  }

  replace(next: CompiledConfig): void {
    this.compiled = next;
    this.workingCalendar = calendarFromConfig(next.source);
  }
}
