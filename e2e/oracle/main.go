// The test oracle: renders werf.yaml templates with Go's own text/template and sprig the way
// werf's pkg/config/parser.go does, so Stowage's TypeScript engine can be compared with the real
// thing. It reads a batch of cases as JSON on stdin and writes one result per case as JSON on
// stdout, so one process serves thousands of templates.
//
// Built offline from Debian's Go packages (see oracle.ts). Differences from werf that are on
// purpose: files come from the case (not a git commit), env reads the case's environment, and
// camelcase is xstrings 1.4.0's (Debian ships 1.3.3; werf pins 1.4.0).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/adler32"
	"os"
	"path"
	"sort"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/Masterminds/sprig/v3"
	"gopkg.in/yaml.v2"
)

type partial struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

type commit struct {
	Hash  string `json:"hash"`
	Human string `json:"human"`
	Unix  string `json:"unix"`
}

type testCase struct {
	Config   string            `json:"config"`
	Partials []partial         `json:"partials"`
	Files    map[string]string `json:"files"`
	Env      map[string]string `json:"env"`
	WerfEnv  string            `json:"werfEnv"`
	Commit   *commit           `json:"commit"`
	// Loose giterminism: env without a value or default gives "" instead of failing.
	Loose bool `json:"loose"`
}

type result struct {
	OK    bool   `json:"ok"`
	Text  string `json:"text"`
	Error string `json:"error,omitempty"`
}

func main() {
	var cases []testCase
	dec := json.NewDecoder(os.Stdin)
	if err := dec.Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "oracle: bad input:", err)
		os.Exit(2)
	}
	out := make([]result, len(cases))
	for i, c := range cases {
		out[i] = render(c)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(2)
	}
}

func render(c testCase) (res result) {
	defer func() {
		if r := recover(); r != nil {
			res = result{OK: false, Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	tmpl := template.New("werfConfig")
	tmpl.Funcs(funcMap(tmpl, c))
	names := make([]string, 0, len(c.Partials))
	byName := map[string]string{}
	for _, p := range c.Partials {
		names = append(names, p.Name)
		byName[p.Name] = p.Text
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := tmpl.New(n).Parse(byName[n]); err != nil {
			return result{Error: err.Error()}
		}
	}
	if _, err := tmpl.Parse(c.Config); err != nil {
		return result{Error: err.Error()}
	}
	data := map[string]interface{}{
		"Files": files{c.Files},
		"Env":   c.WerfEnv,
	}
	if c.Commit != nil {
		data["Commit"] = map[string]interface{}{
			"Hash": c.Commit.Hash,
			"Date": map[string]string{"Human": c.Commit.Human, "Unix": c.Commit.Unix},
		}
	}
	text, err := execute(tmpl, "werfConfig", data)
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{OK: true, Text: text}
}

// A generated template can write without end (Stowage's budgets stop it at 10 Mi characters);
// the oracle stops at 32 MiB so one case cannot exhaust the harness's pipe or memory.
const maxOutput = 32 << 20

type cappedBuffer struct{ bytes.Buffer }

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxOutput {
		return 0, fmt.Errorf("oracle output limit exceeded (%d bytes)", maxOutput)
	}
	return b.Buffer.Write(p)
}

func execute(tmpl *template.Template, name string, data interface{}) (string, error) {
	buf := &cappedBuffer{}
	if err := tmpl.ExecuteTemplate(buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// funcMap follows werf's parser.go funcMap: sprig's TxtFuncMap without expandenv, plus werf's own.
func funcMap(tmpl *template.Template, c testCase) template.FuncMap {
	fm := sprig.TxtFuncMap()
	delete(fm, "expandenv")
	fm["camelcase"] = toCamelCase140
	fm["fromYaml"] = func(str string) (map[string]interface{}, error) {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(str), &m); err != nil {
			return nil, err
		}
		return m, nil
	}
	fm["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	// `until (int .Commit.Date.Unix)` would make Go allocate billions of ints and the machine kill
	// the oracle; past a million elements (Stowage's loop budget) the oracle fails the call instead.
	until, untilStep := fm["until"].(func(int) []int), fm["untilStep"].(func(int, int, int) []int)
	const maxList = 10_000_000
	fm["until"] = func(n int) ([]int, error) {
		if n > maxList || n < -maxList {
			return nil, fmt.Errorf("oracle list limit: until %d", n)
		}
		return until(n), nil
	}
	fm["untilStep"] = func(start, stop, step int) ([]int, error) {
		if step != 0 && ((stop-start)/step > maxList || (stop-start)/step < -maxList) {
			return nil, fmt.Errorf("oracle list limit: untilStep %d %d %d", start, stop, step)
		}
		return untilStep(start, stop, step), nil
	}
	// werf has no limit here and recursion only ends when Go's stack does; the oracle stops
	// earlier so a recursive fixture fails fast (Stowage fails it too, by its own budget).
	depth := 0
	nested := func(name string, data interface{}) (string, error) {
		depth++
		defer func() { depth-- }()
		if depth > 1000 {
			return "", fmt.Errorf("include/tpl nesting deeper than 1000")
		}
		return execute(tmpl, name, data)
	}
	fm["include"] = func(name string, data interface{}) (string, error) {
		return nested(name, data)
	}
	fm["tpl"] = func(content string, data interface{}) (string, error) {
		name := fmt.Sprintf("tpl-%d", adler32.Checksum([]byte(content)))
		if _, err := tmpl.New(name).Parse(content); err != nil {
			return "", err
		}
		return nested(name, data)
	}
	fm["env"] = func(value interface{}, args ...string) (string, error) {
		if len(args) > 1 {
			return "", fmt.Errorf("more than 1 optional argument prohibited")
		}
		name := fmt.Sprint(value)
		v, found := c.Env[name]
		if !found {
			if len(args) == 1 {
				return args[0], nil
			}
			if !c.Loose {
				return "", fmt.Errorf("the environment variable %q must be set or default must be provided", name)
			}
			return "", nil
		}
		if v == "" && len(args) == 1 {
			return args[0], nil
		}
		return v, nil
	}
	fm["required"] = func(msg string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(msg)
		} else if s, ok := val.(string); ok && s == "" {
			return val, errors.New(msg)
		}
		return val, nil
	}
	fm["tpl_debug"] = func(content string, data interface{}) (string, error) { return "", nil }
	fm["include_debug"] = func(name string, data interface{}) (string, error) { return "", nil }
	fm["printf_debug"] = func(format string, args ...interface{}) string { return "" }
	fm["dump_debug"] = func(obj interface{}) string { return "" }
	return fm
}

// toCamelCase140 is xstrings 1.4.0's ToCamelCase, the one werf pins: connectors are '-', '_' and
// white space; the rune after a connector is upper-cased and every other rune keeps its case.
func toCamelCase140(str string) string {
	if len(str) == 0 {
		return ""
	}
	isConnector := func(r rune) bool { return r == '-' || r == '_' || unicode.IsSpace(r) }
	var sb strings.Builder
	var cur, prev rune
	var size int
	for len(str) > 0 {
		cur, size = utf8.DecodeRuneInString(str)
		str = str[size:]
		if !isConnector(cur) {
			cur = unicode.ToUpper(cur)
			break
		}
		sb.WriteRune(cur)
	}
	if len(str) == 0 {
		if size != 0 {
			sb.WriteRune(cur)
		}
		return sb.String()
	}
	for len(str) > 0 {
		prev = cur
		cur, size = utf8.DecodeRuneInString(str)
		str = str[size:]
		if isConnector(cur) && isConnector(prev) {
			sb.WriteRune(prev)
			continue
		}
		if isConnector(prev) {
			cur = unicode.ToUpper(cur)
		} else {
			sb.WriteRune(prev)
		}
	}
	sb.WriteRune(cur)
	return sb.String()
}

// files is .Files over the case's in-memory project, with werf's path rules: every path is
// joined onto the project directory (a leading "/" is the project root).
type files struct {
	m map[string]string
}

func rel(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

func (f files) Get(relPath string) string {
	if v, ok := f.m[rel(relPath)]; ok {
		return v
	}
	panic(fmt.Sprintf("{{ .Files.Get %q }}: the file %q not found in the project directory", relPath, rel(relPath)))
}

func (f files) Glob(pattern string) map[string]interface{} {
	res := map[string]interface{}{}
	for p, v := range f.m {
		if globMatch(pattern, p) {
			res[p] = v
		}
	}
	return res
}

func (f files) Exists(relPath string) bool {
	r := rel(relPath)
	if _, ok := f.m[r]; ok {
		return true
	}
	return f.IsDir(relPath)
}

func (f files) IsDir(relPath string) bool {
	r := rel(relPath)
	for p := range f.m {
		if r == "" || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// globMatch is werf's .Files.Glob rule: the literal prefix of the pattern is a directory (or the
// file itself); below it a path matches the rest of the pattern, the rest without trailing
// all-star components, or anything under what that matches.
func globMatch(pattern, file string) bool {
	parts := splitPath(pattern)
	i := 0
	for i < len(parts) && !strings.ContainsAny(parts[i], "*?[{\\") {
		i++
	}
	prefix := strings.Join(parts[:i], "/")
	glob := parts[i:]
	var sub []string
	fileParts := splitPath(file)
	if prefix != "" {
		pp := parts[:i]
		if len(fileParts) < len(pp) {
			return false
		}
		for k := range pp {
			if pp[k] != fileParts[k] {
				return false
			}
		}
		sub = fileParts[len(pp):]
	} else {
		sub = fileParts
	}
	if len(sub) == 0 {
		return len(glob) == 0
	}
	trimmed := glob
	for len(trimmed) > 0 && strings.TrimRight(trimmed[len(trimmed)-1], "*") == "" {
		trimmed = trimmed[:len(trimmed)-1]
	}
	variants := [][]string{}
	if len(glob) > 0 {
		variants = append(variants, glob)
	}
	if len(trimmed) > 0 {
		variants = append(variants, trimmed)
	}
	variants = append(variants, append(append([]string{}, trimmed...), "**", "*"))
	for _, v := range variants {
		if matchParts(v, sub) {
			return true
		}
	}
	return false
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(path.Clean("/"+p), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func matchParts(pattern, parts []string) bool {
	if len(pattern) == 0 {
		return len(parts) == 0
	}
	if pattern[0] == "**" {
		for k := 0; k <= len(parts); k++ {
			if matchParts(pattern[1:], parts[k:]) {
				return true
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	ok := matchComponent(pattern[0], parts[0])
	return ok && matchParts(pattern[1:], parts[1:])
}

// matchComponent is path.Match plus {a,b} alternatives.
func matchComponent(pattern, name string) bool {
	if open := strings.IndexByte(pattern, '{'); open >= 0 {
		depth := 0
		for j := open; j < len(pattern); j++ {
			switch pattern[j] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					for _, alt := range splitAlternatives(pattern[open+1 : j]) {
						if matchComponent(pattern[:open]+alt+pattern[j+1:], name) {
							return true
						}
					}
					return false
				}
			}
		}
		return false
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

func splitAlternatives(s string) []string {
	var out []string
	depth := 0
	start := 0
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:j])
				start = j + 1
			}
		}
	}
	return append(out, s[start:])
}
