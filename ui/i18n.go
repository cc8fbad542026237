package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/qoltanba/qoltanba/assets/translations"
)

// The GUI's words live in assets/translations/{kk,ru,en}.json and T looks
// them up in the language chosen in Settings, or the system locale's. Fyne's
// own words (OK, Cancel, Copy) come from its lang package, whose localizer
// follows the system locale and cannot be switched: speakFyneWords makes it
// say our "fyne.*" words in the language T speaks.

var (
	i18nOnce sync.Once
	i18nErr  error

	langMu   sync.RWMutex
	chosen   string                           // "" follows the system locale
	system   string                           // the system locale's kk, ru or en
	messages = map[string]map[string]string{} // language → key → text
)

// loadTranslations reads the embedded files. It runs once.
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
		}
		system = systemLanguage()
	})
	return i18nErr
}

// SetLanguage switches the words T returns: "kk", "ru", "en", or "" for the
// system locale. Screens must be rebuilt to show the change.
func SetLanguage(code string) {
	_ = loadTranslations()
	langMu.Lock()
	if _, ok := messages[code]; !ok {
		code = ""
	}
	chosen = code
	langMu.Unlock()
	speakFyneWords(Language())
}

// fyneLocales are the locales Fyne may look its own words up in (its
// built-in translations' and ours).
var fyneLocales = []string{"en", "kk", "ru", "cs", "de", "el", "es", "fr", "pl", "pt", "pt-BR", "sv", "ta", "uk", "zh-Hans"}

// fyneSpeaks is the language speakFyneWords registered last (langMu).
var fyneSpeaks string

// speakFyneWords makes Fyne's own words — its dialogs' OK, Yes, No, an
// entry's Copy and Paste — follow the language chosen here: our "fyne.*"
// keys in that language are registered under every locale Fyne might pick
// from the system's, since its localizer cannot be switched otherwise.
// It runs on the window's goroutine (Fyne reads its bundle there).
func speakFyneWords(code string) {
	langMu.Lock()
	same := fyneSpeaks == code
	fyneSpeaks = code
	langMu.Unlock()
	if same {
		return // registered already: each registration re-reads the system's locales
	}
	words := map[string]string{}
	for k, v := range messages[code] {
		if name, ok := strings.CutPrefix(k, "fyne."); ok {
			words[name] = v
		}
	}
	data, err := json.Marshal(words)
	if err != nil {
		return
	}
	for _, l := range slices.Concat(fyneLocales, []string{lang.SystemLocale().String()}) {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			fyne.LogError("Fyne's words in "+code, err)
		}
	}
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
	_ = loadTranslations()
	return system
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
	langMu.RUnlock()
	if c == "" {
		c = system
	}
	text, ok := messages[c][key]
	if !ok || text == "" {
		text, ok = messages["en"][key]
		if !ok {
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
