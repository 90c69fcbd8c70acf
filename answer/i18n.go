package answer

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
)

// Message keys of the catalog.
const (
	MsgNotFound       = "title.not_found"
	MsgGone           = "title.gone"
	MsgUnavailable    = "title.unavailable"
	MsgRouteNotFound  = "route.not_found"
	MsgRouteSuggest   = "route.suggest"
	MsgPathSuggest    = "path.suggest"
	MsgUnavailableRes = "unavailable.resource"
	MsgUndecidable    = "unavailable.store"
	MsgUnauthorized   = "unauthorized"
	MsgOverloaded     = "unavailable.overloaded"
	MsgBadGateway     = "upstream.bad_gateway"
	MsgGatewayTimeout = "upstream.timeout"
	MsgUpstreamBusy   = "upstream.busy"
	MsgBodyStalled    = "request.body_stalled"
	MsgFramingClash   = "framing.ambiguous"
	MsgFramingCoding  = "framing.coding"
	MsgFramingFold    = "framing.fold"
	MsgURITooLong     = "limit.uri"
	MsgHeadersTooLong = "limit.headers"
	MsgConnect        = "edge.connect"
	MsgBadTarget      = "edge.target"
	MsgBadBody        = "request.body_malformed"
	MsgReadOnly       = "method.read_only"
	MsgInternal       = "internal"

	// The HTML page's labels.
	PagePath        = "page.path"
	PageDeletedAt   = "page.deleted_at"
	PageExpiredAt   = "page.expired_at"
	PageReason      = "page.reason"
	PageAvailableAt = "page.available_at"
	PageRetry       = "page.retry"
	PageAlternative = "page.alternative"
	PageHome        = "page.home"
)

// lang is one language of the catalog: its tag and its texts, keyed by the
// Msg and Page constants.
type lang struct {
	tag   language.Tag
	name  string
	texts map[string]string
}

// catalog holds gone's own texts, default language first. Adding a
// language is one entry here (and collection texts in the config), not
// code: every front door negotiates from this list and renders from these
// texts. The English and Spanish texts are the seeds' own.
var catalog = []lang{
	{tag: language.English, name: "en", texts: map[string]string{
		MsgNotFound:       "Not Found",
		MsgGone:           "Gone",
		MsgUnavailable:    "Service Unavailable",
		MsgRouteNotFound:  "The requested endpoint does not exist.",
		MsgRouteSuggest:   "The requested endpoint does not exist. Did you mean %s?",
		MsgPathSuggest:    "Nothing exists at %s. Did you mean %s?",
		MsgUnavailableRes: "This resource is temporarily unavailable. Try again later.",
		MsgUndecidable:    "The state of this resource could not be determined right now. Try again shortly.",
		MsgUnauthorized:   "A valid token is required.",
		MsgOverloaded:     "The server is busy. Try again in a second.",
		MsgInternal:       "Internal error.",
		MsgBadGateway:     "The site behind this address did not answer. Try again shortly.",
		MsgGatewayTimeout: "The site behind this address took too long to answer. Try again shortly.",
		MsgUpstreamBusy:   "The site behind this address is busy. Try again shortly.",
		MsgBodyStalled:    "The request body stopped arriving.",
		MsgFramingClash:   "The request has both Content-Length and Transfer-Encoding, so where it ends is ambiguous (RFC 9112 §6.3). It was refused and the connection is closed.",
		MsgFramingCoding:  "The request's framing cannot be followed (RFC 9112 §6): only one Transfer-Encoding, chunked, and one numeric Content-Length are accepted. It was refused and the connection is closed.",
		MsgFramingFold:    "The request has a folded header line (obs-fold, RFC 9112 §5.2) or a malformed field. It was refused and the connection is closed.",
		MsgURITooLong:     "The request target is longer than %d bytes.",
		MsgHeadersTooLong: "The request line and headers are larger than %d bytes.",
		MsgConnect:        "CONNECT is not served here: gone is not a forward proxy.",
		MsgBadTarget:      "The request target must be a path (origin form) or an absolute URL (RFC 9112 §3.2).",
		MsgBadBody:        "The request body could not be read (malformed chunked encoding); the request was abandoned.",
		MsgReadOnly:       "This address answers GET and HEAD only.",
		PagePath:          "Address",
		PageDeletedAt:     "Removed on",
		PageExpiredAt:     "Expired on",
		PageReason:        "Why",
		PageAvailableAt:   "Available again on",
		PageRetry:         "Try again in",
		PageAlternative:   "Go to the replacement",
		PageHome:          "Home page",
	}},
	{tag: language.Spanish, name: "es", texts: map[string]string{
		MsgNotFound:       "No encontrado",
		MsgGone:           "Eliminado",
		MsgUnavailable:    "Servicio no disponible",
		MsgRouteNotFound:  "El endpoint solicitado no existe.",
		MsgRouteSuggest:   "El endpoint solicitado no existe. ¿Quisiste decir %s?",
		MsgPathSuggest:    "No existe nada en %s. ¿Quisiste decir %s?",
		MsgUnavailableRes: "Este recurso no está disponible temporalmente. Inténtalo más tarde.",
		MsgUndecidable:    "No se pudo determinar el estado de este recurso. Inténtalo de nuevo en breve.",
		MsgUnauthorized:   "Se requiere un token válido.",
		MsgOverloaded:     "El servidor está ocupado. Inténtalo de nuevo en un segundo.",
		MsgInternal:       "Error interno.",
		MsgBadGateway:     "El sitio detrás de esta dirección no respondió. Inténtalo de nuevo en breve.",
		MsgGatewayTimeout: "El sitio detrás de esta dirección tardó demasiado en responder. Inténtalo de nuevo en breve.",
		MsgUpstreamBusy:   "El sitio detrás de esta dirección está ocupado. Inténtalo de nuevo en breve.",
		MsgBodyStalled:    "El cuerpo de la petición dejó de llegar.",
		MsgFramingClash:   "La solicitud tiene Content-Length y Transfer-Encoding a la vez, así que no se sabe dónde termina (RFC 9112 §6.3). Se rechazó y la conexión se cierra.",
		MsgFramingCoding:  "No se puede seguir el encuadre de la solicitud (RFC 9112 §6): solo se aceptan un Transfer-Encoding, chunked, y un Content-Length numérico. Se rechazó y la conexión se cierra.",
		MsgFramingFold:    "La solicitud tiene una cabecera plegada (obs-fold, RFC 9112 §5.2) o un campo mal formado. Se rechazó y la conexión se cierra.",
		MsgURITooLong:     "El destino de la solicitud tiene más de %d bytes.",
		MsgHeadersTooLong: "La línea de solicitud y las cabeceras ocupan más de %d bytes.",
		MsgConnect:        "CONNECT no se atiende aquí: gone no es un proxy de reenvío.",
		MsgBadTarget:      "El destino de la solicitud debe ser una ruta (forma de origen) o una URL absoluta (RFC 9112 §3.2).",
		MsgBadBody:        "No se pudo leer el cuerpo de la solicitud (codificación chunked mal formada); la solicitud se abandonó.",
		MsgReadOnly:       "Esta dirección solo responde a GET y HEAD.",
		PagePath:          "Dirección",
		PageDeletedAt:     "Eliminada el",
		PageExpiredAt:     "Expiró el",
		PageReason:        "Motivo",
		PageAvailableAt:   "Disponible de nuevo el",
		PageRetry:         "Vuelve a intentarlo en",
		PageAlternative:   "Ir a la página que la sustituye",
		PageHome:          "Página de inicio",
	}},
}

var (
	matcher    language.Matcher
	langValues map[string][]string
	langIndex  map[string]int
)

func init() { indexCatalog() }

// indexCatalog derives the negotiation and the shared header values from
// the catalog.
func indexCatalog() {
	tags := make([]language.Tag, len(catalog))
	langValues = make(map[string][]string, len(catalog))
	langIndex = make(map[string]int, len(catalog))
	for i, l := range catalog {
		tags[i] = l.tag
		langValues[l.name] = []string{l.name}
		langIndex[l.name] = i
	}
	matcher = language.NewMatcher(tags)
	negotiated = sync.Map{}
	negotiatedLen.Store(0)
}

// Languages are the catalog's language names, default first; Index gives
// a name's place in it.
func Languages() []string {
	names := make([]string, len(catalog))
	for i, l := range catalog {
		names[i] = l.name
	}
	return names
}

// LanguageName is the name of the catalog's i-th language (Languages
// without a slice per call, for the request path).
func LanguageName(i int) string { return catalog[i].name }

// LanguageCount is how many languages the catalog speaks.
func LanguageCount() int { return len(catalog) }

// Index is lng's place in Languages (0, the default, for an unknown one).
func Index(lng string) int { return langIndex[lng] }

// Text returns the catalog text for key in lng, in the default language
// when lng lacks it.
func Text(lng, key string) string {
	if t, ok := catalog[langIndex[lng]].texts[key]; ok {
		return t
	}
	return catalog[0].texts[key]
}

// LangValue is the Content-Language value for lng, shared when the
// catalog speaks it.
func LangValue(lng string) []string {
	if v, ok := langValues[lng]; ok {
		return v
	}
	return []string{lng}
}

// Language negotiates the answer's language from r's Accept-Language
// (RFC 9110 §12.5.4): the catalog's default when nothing matches. Every
// front door calls it, so one request gets one language everywhere.
func Language(r *http.Request) string {
	return catalog[LanguageIndex(r)].name
}

// negotiated remembers the language of each Accept-Language value, since
// clients send a handful of distinct ones; it stops growing at
// negotiatedMax entries, after which negotiation simply runs each time.
var (
	negotiated    sync.Map // string → int
	negotiatedLen atomic.Int32
)

const negotiatedMax = 4096

// LanguageIndex is Language as a place in Languages.
func LanguageIndex(r *http.Request) int {
	h := r.Header.Get("Accept-Language")
	if h == "" {
		return 0
	}
	if v, ok := negotiated.Load(h); ok {
		return v.(int)
	}
	l := 0
	if tags, _, err := language.ParseAcceptLanguage(h); err == nil && len(tags) > 0 {
		if _, i, conf := matcher.Match(tags...); conf != language.No {
			l = i
		}
	}
	// Counted only while there is room, so the count never wraps and the
	// bound holds however many distinct values callers send.
	if negotiatedLen.Load() < negotiatedMax && negotiatedLen.Add(1) <= negotiatedMax {
		negotiated.Store(h, l)
	}
	return l
}

// AddLanguage adds a language to the catalog, or replaces its texts: every
// front door then negotiates it and answers in it. Keys texts lacks are
// said in the default language. Call it before serving: the catalog is
// read without a lock.
func AddLanguage(tag string, texts map[string]string) error {
	t, err := language.Parse(tag)
	if err != nil {
		return fmt.Errorf("answer: language %q: %w", tag, err)
	}
	name := t.String()
	if i, ok := langIndex[name]; ok {
		catalog[i].texts = texts
	} else {
		catalog = append(catalog, lang{tag: t, name: name, texts: texts})
	}
	indexCatalog()
	return nil
}
