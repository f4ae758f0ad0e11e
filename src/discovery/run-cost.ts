import type { ResolvedProvider } from '../providers/registry.js';
import { listModels } from './discover.js';
import { withAgent } from './get-json.js';
import { estimateCost, type CostEstimate } from './pricing.js';

/**
 * What speaking this many characters would cost, by OpenAI's published prices for its model names.
 * With `askProvider` (a dry run, where the estimate is the point) OpenRouter is asked for its own
 * price by a free GET of its models API; a finished run makes no request just for its summary.
 */
export async function runCost(provider: ResolvedProvider, model: string, characters: number, signal: AbortSignal, askProvider: boolean): Promise<CostEstimate | undefined> {
  if (provider.spec.inProcess) return undefined;
  let perCharacter: number | undefined;
  if (provider.spec.name === 'openrouter') {
    if (!askProvider) return undefined;
    const models = await withAgent((dispatcher) => listModels({ provider, dispatcher, signal }));
    perCharacter = models.items.find((m) => m.id === model)?.perCharacterUsd;
  }
  return estimateCost(model, characters, perCharacter);
}
