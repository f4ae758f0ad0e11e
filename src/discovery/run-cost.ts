import type { CostEstimate } from '../providers/provider-spec.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { listModels } from './discover.js';
import { withHttpClient } from './get-json.js';

export interface CostQuestion {
  provider: ResolvedProvider;
  model: string;
  characters: number;
  signal: AbortSignal;
  /**
   * Whether a provider that prices its models in its model list may be asked (a free GET): yes for
   * a dry run, where the estimate is the point; a finished run makes no request just for its summary.
   */
  mayAsk: boolean;
}

/** What speaking this many characters would cost: by the provider's model list, else its published prices. */
export async function runCost({ provider, model, characters, signal, mayAsk }: CostQuestion): Promise<CostEstimate | undefined> {
  const { spec } = provider;
  if (spec.discovery?.pricesFromModels) {
    if (!mayAsk) return undefined;
    const models = await withHttpClient((http) => listModels({ provider, http, signal }));
    const perCharacter = models.items.find((m) => m.id === model)?.perCharacterUsd;
    if (perCharacter !== undefined) {
      return { usd: characters * perCharacter, basis: `$${(perCharacter * 1e6).toFixed(2)} per million characters (${spec.description})` };
    }
  }
  return spec.price?.(model, characters);
}
