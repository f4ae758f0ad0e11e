import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { readSsml } from '../../src/script/read-ssml.js';
import { sourceOffset } from '../../src/text/spoken-text.js';
import { runPairs, speechTexts, view, type SegmentView } from './segment-view.js';

const speak = (body: string) => `<speak>${body}</speak>`;
const read = (ssml: string) => view(readSsml(ssml, { fileName: 'talk.ssml' }).segments);

describe('SSML: text', () => {
  test.each<[string, string, SegmentView[]]>([
    ['plain text', speak('Hello world.'), [{ say: 'Hello world.' }]],
    ['white space collapses as XML text is read', speak('\n  Hello\n\t  big   world  \n'), [{ say: 'Hello big world' }]],
    ['a no-break space is text', speak('10\u00a0km'), [{ say: '10\u00a0km' }]],
    [
      'entities and character references are decoded',
      speak('Fish &amp; chips &lt;3 &gt; caf&#233; &#xE9;t&#xe9; &quot;q&quot; &apos;a&apos;'),
      [{ say: 'Fish & chips <3 > café été "q" \'a\'' }],
    ],
    ['CDATA is text, its markup characters literal', speak('<![CDATA[a < b & c]]> done'), [{ say: 'a < b & c done' }]],
    ['comments and processing instructions say nothing', speak('One <!-- not this --> two<?pi data?> three'), [{ say: 'One two three' }]],
    ['no white space, no space: markup joins words', speak('snow<emphasis>ball</emphasis>'), [{ say: 'snowball' }]],
    ['an empty script says nothing', speak('  \n  '), []],
  ])('%s', (_name, ssml, expected) => {
    expect(read(ssml)).toEqual(expected);
  });
});

describe('SSML: breaks', () => {
  test.each<[string, string, SegmentView[]]>([
    ['time in milliseconds', 'One<break time="750ms"/>Two', [{ say: 'One' }, { pause: 750 }, { say: 'Two' }]],
    ['time in seconds, with a fraction', 'One <break time="1.5s"/> Two', [{ say: 'One' }, { pause: 1500 }, { say: 'Two' }]],
    ['time without a leading zero', 'One <break time=".5s"/> Two', [{ say: 'One' }, { pause: 500 }, { say: 'Two' }]],
    ['time in any case, spaced', 'One <break time=" 2 S "/> Two', [{ say: 'One' }, { pause: 2000 }, { say: 'Two' }]],
    ['fractions of a millisecond round', 'One <break time="0.4ms"/><break time="2.6ms"/> Two', [{ say: 'One' }, { pause: 3 }, { say: 'Two' }]],
    ['no attribute is a medium break', 'One <break/> Two', [{ say: 'One' }, { pause: 750 }, { say: 'Two' }]],
    ['time wins over strength', 'One <break strength="weak" time="2s"/> Two', [{ say: 'One' }, { pause: 2000 }, { say: 'Two' }]],
    ['neighbouring breaks add up', 'One <break time="1s"/> <break time="500ms"/> Two', [{ say: 'One' }, { pause: 1500 }, { say: 'Two' }]],
    ['a break at either end is silence there', '<break time="1s"/>One<break time="2s"/>', [{ pause: 1000 }, { say: 'One' }, { pause: 2000 }]],
    ['a zero break is no break', 'One <break time="0ms"/> Two', [{ say: 'One Two' }]],
  ])('%s', (_name, body, expected) => {
    expect(read(speak(body))).toEqual(expected);
  });

  test.each([
    ['x-weak', 250],
    ['weak', 500],
    ['medium', 750],
    ['strong', 1000],
    ['x-strong', 1250],
  ])('strength %s is %i ms', (strength, ms) => {
    expect(read(speak(`One <break strength="${strength}"/> Two`))).toEqual([{ say: 'One' }, { pause: ms }, { say: 'Two' }]);
  });

  test('strength none leaves no pause', () => {
    expect(read(speak('One <break strength="none"/> Two'))).toEqual([{ say: 'One Two' }]);
  });
});

describe('SSML: voice and rate', () => {
  test.each<[string, string, SegmentView[]]>([
    [
      'a voice for the enclosed text only',
      'Hi <voice name="nova">there</voice> you',
      [{ say: 'Hi' }, { say: 'there', voice: 'nova' }, { say: 'you' }],
    ],
    [
      'the innermost voice wins',
      '<voice name="a">one <voice name="b">two</voice> three</voice>',
      [{ say: 'one', voice: 'a' }, { say: 'two', voice: 'b' }, { say: 'three', voice: 'a' }],
    ],
    ['percentage of the normal rate', '<prosody rate="150%">quick</prosody>', [{ say: 'quick', speed: 1.5 }]],
    ['a lower percentage', '<prosody rate="50%">slow</prosody>', [{ say: 'slow', speed: 0.5 }]],
    ['relative increase', '<prosody rate="+20%">up</prosody>', [{ say: 'up', speed: 1.2 }]],
    ['relative decrease', '<prosody rate="-10%">down</prosody>', [{ say: 'down', speed: 0.9 }]],
    ['a plain factor', '<prosody rate="1.5">quick</prosody>', [{ say: 'quick', speed: 1.5 }]],
    ['nested rates multiply', '<prosody rate="200%"><prosody rate="fast">very</prosody></prosody>', [{ say: 'very', speed: 2.5 }]],
    ['rates that cancel out are the normal speed', '<prosody rate="125%"><prosody rate="80%">same</prosody></prosody>', [{ say: 'same' }]],
    ['prosody without a rate changes nothing', 'a <prosody volume="loud">b</prosody> c', [{ say: 'a b c' }]],
    [
      'voice inside prosody inside p',
      '<p>Intro <prosody rate="slow">slow <voice name="onyx">deep</voice> again</prosody></p><p>Done</p>',
      [{ say: 'Intro' }, { say: 'slow', speed: 0.75 }, { say: 'deep', voice: 'onyx', speed: 0.75 }, { say: 'again.', speed: 0.75 }, { say: 'Done.' }],
    ],
    [
      'a voice change is not a pause, and its text joins its own voice again',
      '<voice name="a">One.</voice> <voice name="a">Two.</voice>',
      [{ say: 'One. Two.', voice: 'a' }],
    ],
  ])('%s', (_name, body, expected) => {
    expect(read(speak(body))).toEqual(expected);
  });

  test.each([
    ['x-slow', 0.5],
    ['slow', 0.75],
    ['fast', 1.25],
    ['x-fast', 1.75],
  ])('rate %s is %f of the normal speed', (rate, speed) => {
    expect(read(speak(`<prosody rate="${rate}">words</prosody>`))).toEqual([{ say: 'words', speed }]);
  });

  test.each(['medium', 'default', '100%', '+0%', '1'])('rate %s is the normal speed', (rate) => {
    expect(read(speak(`<prosody rate="${rate}">words</prosody>`))).toEqual([{ say: 'words' }]);
  });
});

describe('SSML: what is said instead', () => {
  test.each<[string, string, SegmentView[]]>([
    ['sub: the alias is said', 'The <sub alias="World Wide Web Consortium">W3C</sub> sets it.', [{ say: 'The World Wide Web Consortium sets it.' }]],
    ['sub: white space in the alias collapses', '<sub alias="  two\n words ">2w</sub>', [{ say: 'two words' }]],
    ['say-as characters: letters joined by hyphens', 'Call <say-as interpret-as="characters">IBM</say-as> now', [{ say: 'Call I-B-M now' }]],
    ['say-as spell-out: lower case kept, digits apart', '<say-as interpret-as="spell-out">abc 123</say-as>', [{ say: 'a-b-c 1 2 3' }]],
    ['say-as: letters and digits mixed', '<say-as interpret-as="characters">R2D2</say-as>', [{ say: 'R-2-D-2' }]],
    ['say-as: other characters stand apart', '<say-as interpret-as="characters">C++</say-as>', [{ say: 'C + +' }]],
    ['say-as: accented letters stay whole', '<say-as interpret-as="characters">Ökö</say-as>', [{ say: 'Ö-k-ö' }]],
    ['say-as: entities are spelled as characters', '<say-as interpret-as="characters">A&amp;W</say-as>', [{ say: 'A & W' }]],
  ])('%s', (_name, body, expected) => {
    expect(read(speak(body))).toEqual(expected);
  });
});

describe('SSML: structure and marks', () => {
  test.each<[string, string, SegmentView[]]>([
    ['s and p end sentences and paragraphs', '<p><s>First</s><s>Second!</s></p><p>Third</p>', [{ say: 'First. Second!\n\nThird.' }]],
    ['a sentence ending in a quote keeps its own stop', '<s>He said "hi."</s><s>Then left?</s>', [{ say: 'He said "hi." Then left?' }]],
    ['text before a p is its own paragraph', 'Title<p>Body</p>', [{ say: 'Title.\n\nBody.' }]],
    ['a mark is a named point between speech', 'Hello <mark name="here"/>world', [{ say: 'Hello' }, { mark: 'here' }, { say: 'world' }]],
    ['marks and breaks keep their order', '<mark name="a"/><break time="1s"/><mark name="b"/>x', [{ mark: 'a' }, { pause: 1000 }, { mark: 'b' }, { say: 'x' }]],
  ])('%s', (_name, body, expected) => {
    expect(read(speak(body))).toEqual(expected);
  });
});

describe('SSML: what has no effect here', () => {
  test('the text of unsupported elements is spoken, and one warning names them all', () => {
    const ssml = speak(
      'I <emphasis level="strong">mean</emphasis> it. <lang xml:lang="fr-FR">Bonjour</lang>. ' +
        '<phoneme alphabet="ipa" ph="təˈmeɪtoʊ">tomato</phoneme>. <audio src="bell.wav"><desc>a bell</desc>Ding</audio>. ' +
        '<mstts:express-as style="cheerful">Yay</mstts:express-as>. <emphasis>again</emphasis>',
    );
    const reading = readSsml(ssml);
    expect(view(reading.segments)).toEqual([{ say: 'I mean it. Bonjour. tomato. Ding. Yay. again' }]);
    expect(reading.warnings).toEqual([
      'SSML that has no effect here, its text spoken as written: <emphasis>, <lang>, <phoneme>, <audio>, <mstts:express-as>',
    ]);
  });

  test('attributes that change nothing here are named too', () => {
    const ssml = speak(
      '<voice name="nova" gender="female"><prosody rate="fast" pitch="high">A</prosody> <say-as interpret-as="date" format="dmy">1.2.2024</say-as></voice> <voice gender="male">B</voice>',
    );
    const reading = readSsml(ssml);
    expect(view(reading.segments)).toEqual([{ say: 'A', voice: 'nova', speed: 1.25 }, { say: '1.2.2024', voice: 'nova' }, { say: 'B' }]);
    expect(reading.warnings).toEqual([
      'SSML that has no effect here, its text spoken as written: <voice gender>, <prosody pitch>, <say-as interpret-as="date">, <voice> without a name',
    ]);
  });

  test('metadata, descriptions and lexicon references are not read aloud', () => {
    const ssml = speak('<metadata><title>T</title></metadata><meta name="a" content="b"/><lexicon uri="x.pls"/>Text');
    const reading = readSsml(ssml);
    expect(view(reading.segments)).toEqual([{ say: 'Text' }]);
    expect(reading.warnings).toEqual(['SSML that has no effect here, its text spoken as written: <lexicon> (give it with --lexicon)']);
  });

  test('a script using only what is supported has no warning', () => {
    expect(readSsml(speak('<p><s>A <break/> b</s></p>')).warnings).toEqual([]);
  });
});

describe('SSML: the document around the text', () => {
  test('a byte-order mark, an XML declaration, a doctype and comments before the root', () => {
    const ssml = '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE speak>\n<!-- made by hand -->\n<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-GB">Hi</speak>\n';
    const reading = readSsml(ssml);
    expect(view(reading.segments)).toEqual([{ say: 'Hi' }]);
    expect(reading.language).toBe('en-GB');
    expect(reading.warnings).toEqual([]);
    expect(sourceOffset(speechTexts(reading.segments)[0]!, 0)).toBe(ssml.indexOf('Hi'));
  });

  test('CRLF line ends are white space like LF', () => {
    expect(read('<speak>\r\n<s>One</s>\r\n<s>Two</s>\r\n</speak>')).toEqual([{ say: 'One. Two.' }]);
  });
});

describe('SSML: the map back to the source', () => {
  const mapOf = (ssml: string) => runPairs(speechTexts(readSsml(ssml).segments)[0]!, ssml);

  test('collapsed white space points at the first white space it replaced', () => {
    expect(mapOf('<speak>\n  Hello\n   world</speak>')).toEqual([
      ['Hello ', 'Hello\n'],
      ['world', 'world'],
    ]);
  });

  test('a decoded entity points at its &', () => {
    // The & lands right after "Fish ", so one run covers both.
    expect(mapOf('<speak>Fish &amp; chips</speak>')).toEqual([
      ['Fish &', 'Fish &'],
      [' chips', ' chips'],
    ]);
  });

  test('inserted stops and paragraph breaks belong to the text before them', () => {
    expect(mapOf('<speak><p>One</p><p>Two</p></speak>')).toEqual([
      ['One.\n\n', 'One</p'],
      ['Two.', 'Two<'],
    ]);
  });

  test('text after markup points past the markup', () => {
    const ssml = '<speak>a <emphasis>b</emphasis> c</speak>';
    expect(mapOf(ssml)).toEqual([
      ['a ', 'a '],
      ['b', 'b'],
      [' c', ' c'],
    ]);
  });

  test("every character of an alias points at its <sub> element", () => {
    const ssml = '<speak>The <sub alias="Consortium">W3C</sub> rules</speak>';
    const text = speechTexts(readSsml(ssml).segments)[0]!;
    const subAt = ssml.indexOf('<sub');
    const offsets = [...'Consortium'].map((_, i) => sourceOffset(text, 'The '.length + i));
    expect(offsets).toEqual(Array(10).fill(subAt));
    expect(sourceOffset(text, text.text.indexOf(' rules'))).toBe(ssml.indexOf(' rules'));
  });

  test('each spelled letter points at its own letter', () => {
    const ssml = '<speak><say-as interpret-as="characters">ABC</say-as></speak>';
    const text = speechTexts(readSsml(ssml).segments)[0]!;
    expect(text.text).toBe('A-B-C');
    expect([0, 2, 4].map((i) => ssml[sourceOffset(text, i)])).toEqual(['A', 'B', 'C']);
  });

  test('offsets count a byte-order mark, so they index the string as given', () => {
    const ssml = '\uFEFF<speak>Hi</speak>';
    expect(mapOf(ssml)).toEqual([['Hi', 'Hi']]);
  });

  test('after a CRLF inside text, offsets still point at the right characters', () => {
    const ssml = '<speak>One\r\ntwo &amp;\r\nthree</speak>';
    expect(mapOf(ssml)).toEqual([
      ['One ', 'One\r'],
      ['two &', 'two &'],
      [' ', '\r'],
      ['three', 'three'],
    ]);
  });
});

describe('SSML: errors name the line and column', () => {
  const failure = (ssml: string) => {
    try {
      readSsml(ssml, { fileName: 'talk.ssml' });
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as UsageError).message;
    }
    throw new Error('expected a UsageError');
  };

  test.each([
    ['<speak>Hi <break time="1s"></speak>', 'Malformed SSML in talk.ssml, line 1, column 28: </speak> does not close <break> (opened at line 1, column 11)'],
    ['<speak>\n  <p>\n  x < y</p>\n</speak>', 'Malformed SSML in talk.ssml, line 3, column 6: disallowed character in tag name'],
    ['<speak>\n  Fish & chips\n</speak>', 'Malformed SSML in talk.ssml, line 2, column 8: a bare & (write it as &amp;)'],
    ['<speak>a&nbsp;b</speak>', 'Malformed SSML in talk.ssml, line 1, column 9: unknown entity &nbsp;'],
    ['<speak>\n<p>Hello', 'Malformed SSML in talk.ssml, line 2, column 1: <p> is never closed'],
    ['<speak><break time=1s/></speak>', 'Malformed SSML in talk.ssml, line 1, column 20: unquoted attribute value'],
    ['<speak><break time="1s" time="2s"/></speak>', 'Malformed SSML in talk.ssml, line 1, column 35: duplicate attribute: time'],
    ['<speak><voice name="a & b">x</voice></speak>', 'Malformed SSML in talk.ssml, line 1, column 23: a bare & (write it as &amp;)'],
    ['<html>x</html>', 'Malformed SSML in talk.ssml, line 1, column 1: the root element is <html>, not <speak>'],
    ['<speak>x</speak>\ntrailing', 'Malformed SSML in talk.ssml, line 2, column 1: text after the end of the root element'],
    ['<speak>x</speak><speak>y</speak>', 'Malformed SSML in talk.ssml, line 1, column 23: documents may contain only one root'],
    ['', 'Malformed SSML in talk.ssml, line 1, column 1: document must contain a root element'],
    ['\uFEFF<speak><p>x</speak>', 'Malformed SSML in talk.ssml, line 1, column 12: </speak> does not close <p> (opened at line 1, column 8)'],
    ['<speak>\r\n<s>a</s>\r\n<b>x</c></speak>', 'Malformed SSML in talk.ssml, line 3, column 5: </c> does not close <b> (opened at line 3, column 1)'],
    ['<speak>😀😀 <b x="1></speak>', 'Malformed SSML in talk.ssml, line 1, column 19: disallowed character'],
  ])('%j', (ssml, message) => {
    expect(failure(ssml)).toBe(message);
  });

  test.each([
    ['<break time="fast"/>', 'Invalid SSML in talk.ssml, line 2, column 3: <break time="fast"> is not a time'],
    ['<break time="-1s"/>', 'Invalid SSML in talk.ssml, line 2, column 3: <break time="-1s"> is not a time'],
    ['<break time="1 min"/>', 'Invalid SSML in talk.ssml, line 2, column 3: <break time="1 min"> is not a time'],
    ['<break strength="loud"/>', 'Invalid SSML in talk.ssml, line 2, column 3: <break strength="loud"> is not a strength'],
    ['<prosody rate="quick">x</prosody>', 'Invalid SSML in talk.ssml, line 2, column 3: <prosody rate="quick"> is not a rate'],
    ['<prosody rate="0%">x</prosody>', 'Invalid SSML in talk.ssml, line 2, column 3: <prosody rate="0%"> is not a rate'],
    ['<prosody rate="-100%">x</prosody>', 'Invalid SSML in talk.ssml, line 2, column 3: <prosody rate="-100%"> is not a rate'],
    ['<sub>W3C</sub>', 'Invalid SSML in talk.ssml, line 2, column 3: <sub> has no alias="…"'],
    ['<mark name=" "/>', 'Invalid SSML in talk.ssml, line 2, column 3: <mark> has no name="…"'],
  ])('%s', (element, message) => {
    expect(failure(`<speak>\n  ${element}\n</speak>`)).toBe(message);
  });

  test('a bad value says what would do', () => {
    try {
      readSsml('<speak><break time="fast"/></speak>');
    } catch (error) {
      expect((error as UsageError).hint).toBe('Give milliseconds or seconds, e.g. time="750ms" or time="1.5s", or a strength such as strength="strong".');
    }
    expect.assertions(1);
  });

  test('without a file name, messages say "the SSML script"', () => {
    expect(() => readSsml('<speak>x')).toThrow('Malformed SSML in the SSML script, line 1, column 1: <speak> is never closed');
  });
});
