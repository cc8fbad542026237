package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/qoltanba/qoltanba/assets/translations"
)

// The GUI's words live in assets/translations/{kk,ru,en}.json. They are
// registered with Fyne's lang package, whose localizer follows the system
// locale: that is the default. Fyne offers no way to switch its localizer
// at run time, so once the user picks a language in Settings, T looks the
// words up in the same files itself. Either way every visible string goes
// through T and a key of those files.

var (
	i18nOnce sync.Once
	i18nErr  error

	langMu   sync.RWMutex
	chosen   string                           // "" follows the system locale through lang.X
	messages = map[string]map[string]string{} // language → key → text
)

// loadTranslations registers the embedded files with Fyne's lang package and
// keeps a copy for the live switch. It runs once.
func loadTranslations() error {
	i18nOnce.Do(func() {
		all, err := translations.All()
		if err != nil {
			i18nErr = err
			return
		}
		for code, data := range all {
			m := map[string]string{}
			if err := json.Unmarshal(data, &m); err != nil {
				i18nErr = fmt.Errorf("parse translations %s: %w", code, err)
				return
			}
			messages[code] = m
			if err := lang.AddTranslationsForLocale(data, fyne.Locale(code)); err != nil {
				i18nErr = fmt.Errorf("register translations %s: %w", code, err)
				return
			}
		}
	})
	return i18nErr
}

// SetLanguage switches the words T returns: "kk", "ru", "en", or "" for the
// system locale. Screens must be rebuilt to show the change.
func SetLanguage(code string) {
	_ = loadTranslations()
	langMu.Lock()
	defer langMu.Unlock()
	if _, ok := messages[code]; !ok {
		code = ""
	}
	chosen = code
}

// Language is the language T speaks: the chosen one, or the system locale's
// closest supported one.
func Language() string {
	langMu.RLock()
	c := chosen
	langMu.RUnlock()
	if c != "" {
		return c
	}
	return systemLanguage()
}

// systemLanguage maps the system locale to kk, ru or en.
func systemLanguage() string {
	l := strings.ToLower(lang.SystemLocale().LanguageString())
	for _, code := range translations.Languages {
		if strings.HasPrefix(l, code) {
			return code
		}
	}
	return "en"
}

// T returns the text of key in the current language. data, if given, fills
// the template fields ({{.Name}}) as go-i18n does.
func T(key string, data ...any) string {
	_ = loadTranslations()
	langMu.RLock()
	c := chosen
	text, ok := messages[c][key]
	fallback, hasFallback := messages["en"][key]
	langMu.RUnlock()
	if c == "" {
		if !hasFallback {
			fallback = key
		}
		return lang.X(key, fallback, data...)
	}
	if !ok || text == "" {
		text = fallback
		if !hasFallback {
			text = key
		}
	}
	if len(data) == 0 || !strings.Contains(text, "{{") {
		return text
	}
	t, err := template.New(key).Option("missingkey=zero").Parse(text)
	if err != nil {
		return text
	}
	var b strings.Builder
	if err := t.Execute(&b, data[0]); err != nil {
		return text
	}
	return b.String()
}

// languageName is a language's name in itself, as the Settings list shows it.
func languageName(code string) string {
	switch code {
	case "kk":
		return "Қазақша"
	case "ru":
		return "Русский"
	case "en":
		return "English"
	}
	return code
}
