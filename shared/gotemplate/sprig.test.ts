import { describe, expect, it } from 'vitest';
import { renderTemplate } from './index';

const NOW = new Date(Date.UTC(2024, 2, 5, 14, 7, 9));

function r(text: string, data: unknown = {}): string {
  return renderTemplate({
    main: { name: 'main', text },
    data,
    now: () => NOW,
    env: (n) => ({ HOME: '/h', EMPTY: '' })[n],
  });
}

describe('sprig: defaults and flow', () => {
  it('default', () => {
    expect(r('{{default "d" ""}} {{default "d" "x"}} {{default "d" 0}} {{default "d" false}} {{"" | default "d"}} {{default 5 .nope}}')).toBe(
      'd x d d d 5',
    );
    expect(r('{{default "d" (list)}} {{default "d" (dict)}} {{default "d" 1.5}}')).toBe('d d 1.5');
  });
  it('empty', () => expect(r('{{empty ""}} {{empty (list)}} {{empty 1}} {{empty .nope}}')).toBe('true true false true'));
  it('coalesce', () => expect(r('{{coalesce "" 0 "x" "y"}} {{coalesce "" .nope}}')).toBe('x <no value>'));
  it('ternary', () => expect(r('{{ternary "a" "b" true}} {{false | ternary "a" "b"}}')).toBe('a b'));
  it('required', () => {
    expect(r('{{required "need v" "v"}}')).toBe('v');
    expect(() => r('{{required "need v" .nope}}')).toThrow(/need v/);
    expect(() => r('{{required "need v" ""}}')).toThrow(/need v/);
  });
  it('fail', () => expect(() => r('{{fail "stop here"}}')).toThrow('error calling fail: stop here'));
});

describe('sprig: lists', () => {
  it('list', () => expect(r('{{list 1 "a" 2.5}}')).toBe('[1 a 2.5]'));
  it('append/prepend', () => expect(r('{{append (list 1 2) 3}} {{prepend (list 1 2) 0}}')).toBe('[1 2 3] [0 1 2]'));
  it('first/last/rest/initial', () => {
    expect(r('{{first (list 1 2 3)}} {{last (list 1 2 3)}} {{rest (list 1 2 3)}} {{initial (list 1 2 3)}}')).toBe('1 3 [2 3] [1 2]');
    expect(r('{{first (list)}}')).toBe('<no value>');
  });
  it('uniq/without/has', () => {
    expect(r('{{uniq (list 1 1 "a" "a" 2)}} {{without (list 1 2 3 2) 2}}')).toBe('[1 a 2] [1 3]');
    expect(r('{{has 2 (list 1 2)}} {{has "2" (list 1 2)}}')).toBe('true false');
  });
  it('join/split/splitList', () => {
    expect(r('{{join "," (list "a" 1 .nope "b")}} {{join "-" .l}}', { l: ['x', 'y'] })).toBe('a,1,b x-y');
    expect(r('{{$p := split "/" "a/b/c"}}{{$p._0}}-{{$p._2}} {{split "," "a,b"}}')).toBe('a-c map[_0:a _1:b]');
    expect(r('{{splitList "," "a,b"}} {{len (splitList "," "")}}')).toBe('[a b] 1');
  });
  it('until/untilStep/seq', () => {
    expect(r('{{until 3}} {{until -2}} {{untilStep 0 10 3}} {{untilStep 5 0 -2}}')).toBe('[0 1 2] [0 -1] [0 3 6 9] [5 3 1]');
    expect(r('{{seq 3}}|{{seq 2 4}}|{{seq 0 2 6}}|{{seq 3 1}}|{{seq 0}}')).toBe('1 2 3|2 3 4|0 2 4 6|3 2 1|1 0');
  });
  it('sortAlpha, reverse, compact, concat, chunk', () => {
    expect(r('{{sortAlpha (list "b" "a" 3)}} {{reverse (list 1 2)}} {{compact (list 0 "" "a" 1)}}')).toBe('[3 a b] [2 1] [a 1]');
    expect(r('{{concat (list 1) (list 2 3)}} {{chunk 2 (list 1 2 3)}}')).toBe('[1 2 3] [[1 2] [3]]');
  });
  it('errors on non-lists like sprig', () => {
    expect(() => r('{{first "abc"}}')).toThrow(/Cannot find first on type string/);
  });
});

describe('sprig: dicts', () => {
  it('dict/get/set/unset/hasKey', () => {
    expect(r('{{dict "b" "x" "a" 1}} {{dict "a"}}')).toBe('map[a:1 b:x] map[a:]');
    expect(r('{{get (dict "a" 1) "a"}}|{{get (dict) "z"}}|')).toBe('1||');
    expect(r('{{$d := dict}}{{$_ := set $d "k" "v"}}{{$d.k}} {{set (dict) "a" 1}}')).toBe('v map[a:1]');
    expect(r('{{unset (dict "a" 1 "b" 2) "a"}}')).toBe('map[b:2]');
    expect(r('{{hasKey (dict "a" 1) "a"}} {{hasKey (dict) "a"}}')).toBe('true false');
  });
  it('keys/values/pluck', () => {
    expect(r('{{keys (dict "b" 1 "a" 2) | sortAlpha}} {{values (dict "a" "x")}}')).toBe('[a b] [x]');
    expect(r('{{pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3)}}')).toBe('[1 3]');
  });
  it('merge keeps destination values and merges nested maps', () => {
    expect(r('{{merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2))}}')).toBe('map[a:1 b:3 n:map[x:1 y:2]]');
    expect(r('{{mergeOverwrite (dict "a" 1) (dict "a" 2)}}')).toBe('map[a:2]');
    expect(r('{{$d := dict "a" ""}}{{$_ := merge $d (dict "a" "filled")}}{{$d.a}}')).toBe('filled');
  });
  it('pick/omit/dig/deepCopy', () => {
    expect(r('{{pick (dict "a" 1 "b" 2) "a"}} {{omit (dict "a" 1 "b" 2) "a"}}')).toBe('map[a:1] map[b:2]');
    expect(r('{{dig "a" "b" "def" (dict "a" (dict "b" "v"))}} {{dig "a" "z" "def" (dict "a" (dict))}}')).toBe('v def');
    expect(r('{{$a := dict "x" 1}}{{$b := deepCopy $a}}{{$_ := set $b "x" 2}}{{$a.x}}{{$b.x}}')).toBe('12');
  });
});

describe('sprig: strings', () => {
  it('trim family', () => {
    expect(r('[{{trim "  x \\n"}}] {{trimAll "$" "$$5$"}} {{trimPrefix "v" "v1.2"}} {{trimSuffix ".git" "repo.git"}}')).toBe('[x] 5 1.2 repo');
  });
  it('case', () => {
    expect(r(`{{upper "abc"}} {{lower "ABC"}} {{title "hello wORLD o'neil"}} {{untitle "Hello World"}}`)).toBe("ABC abc Hello WORLD O'Neil hello world");
  });
  it('replace/contains/hasPrefix/hasSuffix', () => {
    expect(r('{{replace "a" "b" "banana"}} {{contains "an" "banana"}} {{hasPrefix "ba" "banana"}} {{hasSuffix "x" "banana"}}')).toBe(
      'bbnbnb true true false',
    );
  });
  it('quote/squote/cat', () => {
    expect(r('{{quote "a\\"b" 1 .nope}}')).toBe('"a\\"b" "1"');
    expect(r('{{squote "a" 1}} {{cat "a" 1 .nope "b"}}')).toBe("'a' '1' a 1 b");
  });
  it('indent/nindent', () => {
    expect(r('{{indent 2 "a\\nb"}}')).toBe('  a\n  b');
    expect(r('x:{{nindent 2 "a\\nb"}}')).toBe('x:\n  a\n  b');
  });
  it('substr/trunc/abbrev/repeat', () => {
    expect(r('{{substr 1 3 "hello"}} {{substr -1 2 "hello"}} {{substr 2 99 "hello"}}')).toBe('el he llo');
    expect(r('{{trunc 3 "hello"}} {{trunc -2 "hello"}} {{trunc 10 "hi"}}')).toBe('hel lo hi');
    expect(r('{{abbrev 5 "hello world"}} {{abbrev 20 "short"}}')).toBe('he... short');
    expect(r('{{repeat 3 "ab"}}')).toBe('ababab');
  });
  it('snakecase/kebabcase/camelcase', () => {
    const snake: Record<string, string> = {
      HTTPServer: 'http_server',
      _camelCase: '_camel_case',
      NoHTTPS: 'no_https',
      Wi_thF: 'wi_th_f',
      _AnotherTES_TCaseP: '_another_tes_t_case_p',
      ALL: 'all',
      _HELLO_WORLD_: '_hello_world_',
      HELLO____WORLD: 'hello____world',
      http2xx: 'http_2xx',
      HTTP20xOK: 'http_20x_ok',
      'HTTP-20xStatus': 'http_20x_status',
      '  sentence case  ': '__sentence_case__',
      FirstName: 'first_name',
    };
    for (const [input, want] of Object.entries(snake)) {
      expect(r('{{snakecase .}}', input)).toBe(want);
      expect(r('{{kebabcase .}}', input)).toBe(want.replace(/_/g, '-'));
    }
    const camel: Record<string, string> = {
      http_server: 'HttpServer',
      _camel_case: '_CamelCase',
      no_https: 'NoHttps',
      _complex__case_: '_Complex_Case_',
      all: 'All',
      // xstrings 1.4.0 (werf's pin) keeps the case of letters that do not start a word.
      GOLANG_IS_GREAT: 'GOLANGISGREAT',
      HTTP_server: 'HTTPServer',
      'a b_c-d': 'ABCD',
      'pod-reloader': 'PodReloader',
      a: 'A',
      __: '___',
      '': '',
    };
    for (const [input, want] of Object.entries(camel)) expect(r('{{camelcase .}}', input)).toBe(want);
    expect(r('{{"pod-reloader" | camelcase | untitle}}')).toBe('podReloader');
  });
  it('other string helpers', () => {
    expect(r('{{nospace "a b\\tc"}} {{initials "Hello World"}} {{swapcase "aBc"}} {{plural "one" "many" 2}}')).toBe('abc HW AbC many');
    expect(r('{{wrap 5 "hello world foo"}}')).toBe('hello\nworld\nfoo');
    expect(r('{{toStrings (list 1 "a")}} {{splitn "," 2 "a,b,c"}}')).toBe('[1 a] map[_0:a _1:b,c]');
  });
});

describe('sprig: conversions and math', () => {
  it('add/sub/mul/div/mod/max/min', () => {
    expect(r('{{add 1 2 "3"}} {{sub 5 7}} {{mul 2 3 4}} {{div 7 2}} {{mod 7 3}} {{div -7 2}} {{add1 1}}')).toBe('6 -2 24 3 1 -3 2');
    expect(r('{{max 1 5 3}} {{min 4 2 8}} {{biggest 1 9}}')).toBe('5 2 9');
    expect(() => r('{{div 1 0}}')).toThrow(/integer divide by zero/);
  });
  it('float math uses decimal arithmetic', () => {
    expect(r('{{addf 1.1 2.2}} {{subf 1.5 0.5}} {{mulf 1.1 3}} {{divf 1 3}} {{maxf 1 2.5}} {{ceil 1.2}} {{floor 1.8}} {{round 3.14159 2}}')).toBe(
      '3.3 1 3.3 0.3333333333333333 2.5 2 1 3.14',
    );
  });
  it('int/int64/float64/toString/atoi/toDecimal', () => {
    expect(r('{{int "42"}} {{int64 3.9}} {{float64 "1.5"}} {{float64 2}} {{int "0x1F"}} {{int "12.00"}}')).toBe('42 3 1.5 2 31 12');
    expect(r('{{toString 42 | printf "%q"}} {{toString .nope}} {{toString (list 1)}}')).toBe('"42" <nil> [1]');
    expect(r('{{atoi "12"}} {{atoi "x"}} {{toDecimal "0777"}}')).toBe('12 0 511');
  });
});

describe('sprig: encoding and serialization', () => {
  it('b64enc/b64dec/b32', () => {
    expect(r('{{b64enc "hello"}} {{b64dec "aGVsbG8="}} {{b64enc "é"}}')).toBe('aGVsbG8= hello w6k=');
    expect(r('{{b64dec "!!"}}')).toBe('illegal base64 data at input byte 0');
    expect(r('{{b32enc "hi"}} {{b32dec "NBUQ===="}}')).toBe('NBUQ==== hi');
  });
  it('sha256sum/sha1sum/adler32sum', () => {
    expect(r('{{sha256sum "abc"}}')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(r('{{sha256sum ""}}')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(r('{{sha256sum "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"}}')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(r('{{sha1sum "abc"}} {{adler32sum "Wikipedia"}}')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d 300286872');
  });
  it('toJson/fromJson', () => {
    expect(r('{{toJson (dict "b" 1 "a" (list "x" true .nope) "h" "<&>" "f" 1.5)}}')).toBe(
      '{"a":["x",true,null],"b":1,"f":1.5,"h":"\\u003c\\u0026\\u003e"}',
    );
    expect(r('{{toRawJson (dict "h" "<&>")}}')).toBe('{"h":"<&>"}');
    expect(r('{{toPrettyJson (dict "a" (list 1))}}')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(r('{{(fromJson "{\\"a\\": [1, \\"x\\"]}").a}} {{(fromJson "{\\"n\\": 1000000}").n}}')).toBe('[1 x] 1e+06');
    expect(r('{{fromJson "not json"}}')).toBe('<no value>');
  });
  it('toYaml/fromYaml', () => {
    expect(r('{{toYaml (dict "b" (list 1 2) "a" "x" "c" (dict "d" true))}}')).toBe('a: x\nb:\n- 1\n- 2\nc:\n  d: true');
    // yaml.v2 quotes YAML 1.1 booleans such as "yes" and "n", keys included.
    expect(r('{{toYaml (dict "v" "yes" "n" "1" "e" "")}}')).toBe('e: ""\n"n": "1"\nv: "yes"');
    expect(r('{{toYaml (list "a" "b")}}')).toBe('- a\n- b');
    expect(r('{{$v := fromYaml "a: 1\\nb: [x, z]\\nc: 1.0\\nd: yes\\nt: 2001-12-14"}}{{$v.a}} {{$v.b}} {{$v.c}} {{$v.d}} {{$v.t}}')).toBe(
      '1 [x z] 1 true 2001-12-14',
    );
    expect(() => r('{{fromYaml "- a"}}')).toThrow(/cannot unmarshal !!seq/);
    expect(r('{{len (fromYaml "")}}')).toBe('0');
  });
});

describe('fromYaml: nested maps are map[interface{}]interface{} (yaml.v2)', () => {
  const V = '{{$v := fromYaml "a:\\n  b: 1\\nports:\\n  80: http\\n  9: x\\n  name: web\\nl:\\n- k: 1\\n"}}';
  const WRONG = /wrong type for value; expected map\[string\]interface \{\}; got map\[interface \{\}\]interface \{\}/;
  it('only the top level is a map[string]interface{}', () => {
    expect(r(`${V}{{typeOf $v}} {{typeOf $v.a}} {{kindOf $v.a}} {{typeOf (index $v.l 0)}}`)).toBe(
      'map[string]interface {} map[interface {}]interface {} map map[interface {}]interface {}',
    );
    expect(r('{{typeOf (fromJson "{\\"a\\":{\\"b\\":1}}").a}} {{typeOf (dict "a" (dict)).a}}')).toBe('map[string]interface {} map[string]interface {}');
    // The top level is keyed by each key's text, as yaml.v2 does when decoding into a string key.
    expect(r('{{$v := fromYaml "80: a\\nn: b\\n~: c"}}{{index $v "80"}} {{index $v "n"}} {{index $v ""}}')).toBe('a b c');
    // yaml.Unmarshal (not UnmarshalStrict): a repeated key takes the last value.
    expect(r('{{$v := fromYaml "y: 1\\nyes: 2\\na:\\n  k: 1\\n  k: 2"}}{{$v.y}} {{$v.yes}} {{$v.a.k}}')).toBe('1 2 2');
  });
  it('field access, index, range, len and printing treat it as a map', () => {
    expect(r(`${V}{{$v.a.b}} {{index $v.a "b"}} {{len $v.ports}} {{$v.a}} {{$v.l}} {{printf "%#v" $v.a}}`)).toBe(
      '1 1 3 map[b:1] [map[k:1]] map[interface {}]interface {}{"b":1}',
    );
    // Keys keep their YAML type: 80 is an int key, so only an int finds it.
    expect(r(`${V}{{index $v.ports 80}} {{index $v.ports "80"}} {{range $k, $x := $v.ports}}{{$k}}({{typeOf $k}})={{$x}} {{end}}`)).toBe(
      'http <no value> 9(int)=x 80(int)=http name(string)=web ',
    );
    expect(() => r(`${V}{{index $v.ports (list)}}`)).toThrow(/hash of unhashable type \[\]interface \{\}/);
  });
  it('sprig functions typed map[string]interface{} refuse it, as in werf', () => {
    for (const call of ['hasKey $v.a "b"', 'pluck "b" $v.a', 'keys $v.a', 'get $v.a "b"', 'set $v.a "b" 2', 'unset $v.a "b"', 'merge (dict) $v.a', 'values $v.a']) {
      expect(() => r(`${V}{{${call}}}`), call).toThrow(WRONG);
    }
    expect(r(`${V}{{hasKey $v "a"}} {{pluck "a" $v | first}} {{keys $v | sortAlpha}}`)).toBe('true map[b:1] [a l ports]');
    expect(r('{{hasKey (fromJson "{\\"a\\":{\\"b\\":1}}").a "b"}} {{hasKey (dict "a" (dict "b" 1)).a "b"}}')).toBe('true true');
  });
  it('dig fails past its first key', () => {
    expect(r(`${V}{{dig "a" "none" $v}}`)).toBe('map[b:1]');
    expect(() => r(`${V}{{dig "a" "b" "none" $v}}`)).toThrow(
      'interface conversion: interface {} is map[interface {}]interface {}, not map[string]interface {}',
    );
  });
  it('merge and deepCopy keep the nested type', () => {
    expect(r('{{$m := merge (fromYaml "a:\\n  b: 1") (fromYaml "a:\\n  c: 2")}}{{$m.a}} {{typeOf $m.a}}')).toBe('map[b:1 c:2] map[interface {}]interface {}');
    expect(r(`${V}{{typeOf (deepCopy $v).a}} {{index (deepCopy $v).ports 80}}`)).toBe('map[interface {}]interface {} http');
  });
  it('toYaml writes typed keys like yaml.v2; encoding/json refuses the map', () => {
    expect(r(`${V}{{toYaml $v.ports}}`)).toBe('9: x\n80: http\nname: web');
    expect(r('{{toYaml (fromYaml "80: a\\nb:\\n  80: c\\n  ~: d")}}')).toBe('"80": a\nb:\n  80: c\n  null: d');
    // sprig's toJson swallows json.Marshal's error; the must variant reports it.
    expect(r(`${V}[{{toJson $v}}][{{toJson $v.a}}]`)).toBe('[][]');
    expect(() => r(`${V}{{mustToJson $v}}`)).toThrow('json: unsupported type: map[interface {}]interface {}');
  });
  it('toYaml sorts keys like yaml.v2 (letters first, digit runs as numbers)', () => {
    expect(r('{{toYaml (dict "a10" 1 "a9" 2 "B" 3 "_x" 4)}}')).toBe('_x: 4\nB: 3\na9: 2\na10: 1');
  });
});

describe('sprig: regex, semver, paths, env, dates', () => {
  it('regex', () => {
    expect(r('{{regexMatch "^[a-z]+$" "abc"}} {{regexMatch "^[a-z]+$" "ab1"}} {{regexFind "[0-9]+" "ab12cd34"}}')).toBe('true false 12');
    expect(r('{{regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W"}} {{regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W"}}')).toBe('-W-xxW- ---');
    expect(r('{{regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "$last, $first"}}')).toBe('Smith, John');
    expect(r('{{regexFindAll "a*" "baaac" -1}} {{regexSplit "x*" "axbxxc" -1}}')).toBe('[ aaa ] [a b c]');
    expect(r('{{regexSplit "a*" "abaabaccadaaae" 5}}')).toBe('[ b b c cadaaae]');
    expect(r('{{regexFindAll "a." "paranormal" 2}}')).toBe('[ar an]');
    expect(r('{{regexReplaceAllLiteral "a" "aa" "$1"}} {{regexQuoteMeta "a.b"}}')).toBe('$1$1 a\\.b');
    expect(() => r('{{regexFind "(?=x)" "x"}}')).toThrow(/invalid or unsupported Perl syntax/);
  });
  it('semver', () => {
    expect(r('{{(semver "1.2.3-beta.1+build").Major}} {{(semver "v1.2").String}} {{semver "1.2.3"}} {{(semver "1.2.3-rc.1").Prerelease}}')).toBe(
      '1 1.2.0 1.2.3 rc.1',
    );
    expect(
      r('{{semverCompare ">=1.2.0" "1.3.0"}} {{semverCompare "^1.2" "2.0.0"}} {{semverCompare "~1.2.3" "1.2.9"}} {{semverCompare ">1.0" "1.0.1-beta"}}'),
    ).toBe('true false true false');
    expect(r('{{semverCompare "1.2 - 1.4" "1.3.5"}} {{semverCompare "<1 || >=2.1" "2.5.0"}} {{semverCompare "1.x" "1.9.0"}}')).toBe('true true true');
    expect(() => r('{{semver "not-a-version"}}')).toThrow(/Invalid Semantic Version/);
  });
  it('paths', () => {
    expect(r('{{base "/a/b.txt"}} {{dir "/a/b.txt"}} {{ext "b.tar.gz"}} {{clean "a//b/../c/"}} {{dir "x"}} {{base ""}}')).toBe('b.txt /a .gz a/c . .');
  });
  it('env/expandenv', () => {
    expect(r('{{env "HOME"}}|{{env "NOPE"}}|')).toBe('/h||');
    expect(r('{{expandenv "$HOME/x ${HOME} $NOPE."}}')).toBe('/h/x /h .');
  });
  it('now/date/dateInZone/toDate/unixEpoch/duration', () => {
    expect(r('{{dateInZone "2006-01-02T15:04:05Z07:00" (now) "UTC"}}')).toBe('2024-03-05T14:07:09Z');
    expect(r('{{now | unixEpoch}}')).toBe(String(NOW.getTime() / 1000));
    expect(r('{{dateInZone "Jan _2 3:04PM MST" 0 "UTC"}}')).toBe('Jan  1 12:00AM UTC');
    expect(r('{{(toDate "2006-01-02 15:04:05 -0700" "2020-06-01 10:00:00 +0200").UTC}}')).toBe('2020-06-01 08:00:00 +0000 UTC');
    expect(r('{{duration 3725}} {{duration 0}} {{durationRound "2h5m"}}')).toBe('1h2m5s 0s 2h');
    const local = new Date(NOW);
    const want = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
    expect(r('{{now | date "2006-01-02"}} {{htmlDate now}}')).toBe(`${want} ${want}`);
  });
  it('misc', () => {
    expect(r('{{hello}} {{kindOf (list)}} {{typeOf (dict)}} {{kindIs "string" "x"}} {{deepEqual (list 1) (list 1)}}')).toBe(
      'Hello! slice map[string]interface {} true true',
    );
    expect(r('{{(urlParse "https://u@h.io:8080/p?q=1#f").hostname}} {{urlJoin (dict "scheme" "https" "host" "h.io" "path" "/x")}}')).toBe(
      'h.io https://h.io/x',
    );
    expect(r('{{len uuidv4}}')).toBe('36');
    expect(() => r('{{genCA "x" 1}}')).toThrow(/not supported by the preview engine/);
  });
});

describe('case mapping found by the differential tests', () => {
  it('lowers İ to i as Go does, and splits words like xstrings', () => {
    expect(r('{{ kebabcase "İstanbul" }} {{ lower "İ" }}')).toBe('istanbul i');
    expect(r('{{ snakecase "illegal base64 data" }} {{ kebabcase "_complex__case_" }} {{ kebabcase "\\"KRZHKZI=\\"" }}')).toBe('illegal_base64_data -complex--case- "krzhkzi-="');
    expect(r('{{ swapcase "ǅungla hello" }}')).toBe('ǆUNGLA HELLO');
  });
});
