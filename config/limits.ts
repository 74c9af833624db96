import { render, say } from './messages';

/**
 * What reading a config may cost. Whoever can edit robots.yaml (or the ConfigMap it comes from)
 * can hand the server a file built to exhaust it; within these bounds every such file is a
 * positioned error in well under a second, never an exception or a stalled server.
 */
export interface ConfigLimits {
  /** Bytes of the file (and of each template file). */
  maxBytes: number;
  /** Anchors (`&name`) and aliases (`*name`) in one file: the yaml library resolves each alias by a scan of all of them before it. */
  maxAnchorsAndAliases: number;
  /** Values aliases copy in, counted as expanded: an alias of an alias of… ("billion laughs") multiplies them. */
  maxAliasExpansion: number;
  /** Maps and lists inside one another. */
  maxDepth: number;
  /** Lexical tokens (keys, values, punctuation, spaces): bounds what 8 MB of `[1,1,1,…]` costs to parse. */
  maxTokens: number;
}

export const CONFIG_LIMITS: Readonly<ConfigLimits> = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxAnchorsAndAliases: 5_000,
  maxAliasExpansion: 100_000,
  maxDepth: 100,
  maxTokens: 3_000_000,
});

export function sizeText(maxBytes: number): string {
  return maxBytes >= 1024 * 1024 ? `${(maxBytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(maxBytes / 1024)} KB`;
}

export function tooBig(maxBytes: number): string {
  return render(say('file_too_big', { size: sizeText(maxBytes) }));
}
