package httpapi

import (
	"net/http"

	"golang.org/x/text/language"
)

// Message keys of the catalog.
const (
	msgNotFound       = "title.not_found"
	msgGone           = "title.gone"
	msgUnavailable    = "title.unavailable"
	msgRouteNotFound  = "route.not_found"
	msgRouteSuggest   = "route.suggest"
	msgUnavailableRes = "unavailable.resource"
	msgUndecidable    = "unavailable.store"
	msgUnauthorized   = "unauthorized"
	msgOverloaded     = "unavailable.overloaded"
)

// catalog holds the server's own texts by language. Adding a language is a
// catalog entry (and collection texts in the config), not code. The English
// and Spanish texts are the seeds' own.
var catalog = map[string]map[string]string{
	"en": {
		msgNotFound:       "Not Found",
		msgGone:           "Gone",
		msgUnavailable:    "Service Unavailable",
		msgRouteNotFound:  "The requested endpoint does not exist.",
		msgRouteSuggest:   "The requested endpoint does not exist. Did you mean %s?",
		msgUnavailableRes: "This resource is temporarily unavailable. Try again later.",
		msgUndecidable:    "The state of this resource could not be determined right now. Try again shortly.",
		msgUnauthorized:   "A valid token is required.",
		msgOverloaded:     "The server is busy. Try again in a second.",
	},
	"es": {
		msgNotFound:       "No encontrado",
		msgGone:           "Eliminado",
		msgUnavailable:    "Servicio no disponible",
		msgRouteNotFound:  "El endpoint solicitado no existe.",
		msgRouteSuggest:   "El endpoint solicitado no existe. ¿Quisiste decir %s?",
		msgUnavailableRes: "Este recurso no está disponible temporalmente. Inténtalo más tarde.",
		msgUndecidable:    "No se pudo determinar el estado de este recurso. Inténtalo de nuevo en breve.",
		msgUnauthorized:   "Se requiere un token válido.",
		msgOverloaded:     "El servidor está ocupado. Inténtalo de nuevo en un segundo.",
	},
}

// languages are the catalog's languages, default first.
var languages = []language.Tag{language.English, language.Spanish}

var matcher = language.NewMatcher(languages)

// lang negotiates the response language from Accept-Language (RFC 9110
// §12.5.4); English when nothing matches.
func lang(r *http.Request) string {
	h := r.Header.Get("Accept-Language")
	if h == "" {
		return "en"
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	base, _ := languages[i].Base()
	return base.String()
}

// Language is the language negotiated for r's answer ("en" or "es"), as
// every problem the API writes uses it.
func Language(r *http.Request) string { return lang(r) }

// text returns the catalog text for key in lang.
func text(lang, key string) string {
	if t, ok := catalog[lang][key]; ok {
		return t
	}
	return catalog["en"][key]
}
