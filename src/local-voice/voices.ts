/** One row of `espeak-ng --voices`. */
export interface EspeakVoice {
  language: string;
  gender: string;
  name: string;
  file: string;
}

/** Parses eSpeak's voice table ("Pty Language Age/Gender VoiceName File Other Languages"). */
export function parseVoiceTable(lines: readonly string[]): EspeakVoice[] {
  const voices: EspeakVoice[] = [];
  for (const line of lines) {
    const cells = line.trim().split(/\s+/);
    if (cells.length < 5 || !/^\d+$/.test(cells[0]!)) continue;
    const [, language, ageGender, ...rest] = cells;
    // The name may hold spaces; the file is the first cell after it that looks like family/code.
    const fileAt = rest.findIndex((c) => c.includes('/'));
    voices.push({
      language: language!,
      gender: ageGender!.split('/')[1] ?? '',
      name: rest.slice(0, fileAt === -1 ? rest.length : fileAt).join(' '),
      file: fileAt === -1 ? '' : rest[fileAt]!,
    });
  }
  return voices;
}

/**
 * Why eSpeak cannot speak `voice`, or undefined if it can. eSpeak itself falls back to its default
 * voice without a word, so this is checked before anything is spoken. A voice is a language (en-us,
 * de), a voice file (gmw/en-US) or its name, optionally followed by +variant (+f3, +Alex).
 */
export function voiceProblem(voice: string, voices: readonly EspeakVoice[], variants: readonly string[]): string | undefined {
  const [base = '', variant] = voice.toLowerCase().split('+');
  const known = voices.some((v) => [v.language, v.file, v.file.split('/').pop() ?? '', v.name].some((k) => k.toLowerCase() === base));
  if (!known) return `there is no voice or language "${base}"`;
  if (variant !== undefined && !variants.some((v) => v.toLowerCase() === variant)) return `there is no variant "+${variant}"`;
  return undefined;
}
