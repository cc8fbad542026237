// Package translations embeds Qoltanba's user-visible words in Kazakh,
// Russian and English: one JSON file per language (go-i18n's flat format,
// "key": "text"), loaded by the GUI through Fyne's lang package. Keeping them
// here, out of the code, is what lets a translator work without Go.
package translations

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"sync"
)

//go:embed *.json
var files embed.FS

// Languages are the supported language codes, in the order the GUI offers them.
var Languages = []string{"kk", "ru", "en"}

// File returns the JSON translation file of a language ("kk", "ru", "en").
func File(code string) ([]byte, error) {
	data, err := files.ReadFile(code + ".json")
	if err != nil {
		return nil, fmt.Errorf("translations for %q: %w", code, err)
	}
	return data, nil
}

// All returns every embedded file by language code.
func All() (map[string][]byte, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, fmt.Errorf("list translations: %w", err)
	}
	out := make(map[string][]byte, len(entries))
	for _, e := range entries {
		data, err := files.ReadFile(e.Name())
		if err != nil {
			return nil, fmt.Errorf("read translations %s: %w", e.Name(), err)
		}
		out[strings.TrimSuffix(e.Name(), path.Ext(e.Name()))] = data
	}
	return out, nil
}

// Text returns the text of key in language code, falling back to English,
// then to the key itself: for faces without Fyne's translation machinery
// (the CLI, what the core writes for people). Template fields are left as
// they are. Each file is parsed once.
func Text(code, key string) string {
	for _, c := range []string{code, "en"} {
		if m := table(c); m[key] != "" {
			return m[key]
		}
	}
	return key
}

var (
	tablesMu sync.Mutex
	tables   = map[string]map[string]string{}
)

// table is a language's texts by key (nil for an unknown language).
func table(code string) map[string]string {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if m, ok := tables[code]; ok {
		return m
	}
	var m map[string]string
	if data, err := File(code); err == nil {
		if json.Unmarshal(data, &m) != nil {
			m = nil
		}
	}
	tables[code] = m
	return m
}

// SystemLanguage maps a locale name ("ru_RU.UTF-8", "kk-KZ") to kk, ru or
// en; English when it names none of them.
func SystemLanguage(locale string) string {
	l := strings.ToLower(locale)
	for _, code := range Languages {
		if strings.HasPrefix(l, code) {
			return code
		}
	}
	return "en"
}
