package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// lifecycleView is the admin's view of one record: its state and every
// lifecycle fact, with the payload while there is one.
type lifecycleView struct {
	Collection       string          `json:"collection"`
	ID               string          `json:"id"`
	State            gone.State      `json:"state"`
	Version          int64           `json:"version"`
	CreatedAt        string          `json:"createdAt,omitempty"`
	UpdatedAt        string          `json:"updatedAt,omitempty"`
	DeletedAt        string          `json:"deletedAt,omitempty"`
	RestorableUntil  string          `json:"restorableUntil,omitempty"`
	DeletedBy        string          `json:"deletedBy,omitempty"`
	Reason           string          `json:"reason,omitempty"`
	ReasonCode       string          `json:"reasonCode,omitempty"`
	Alternative      string          `json:"alternative,omitempty"`
	ExpiresAt        string          `json:"expiresAt,omitempty"`
	MovedTo          string          `json:"movedTo,omitempty"`
	UnavailableUntil string          `json:"unavailableUntil,omitempty"`
	DeprecatedAt     string          `json:"deprecatedAt,omitempty"`
	Erased           bool            `json:"erased,omitempty"`
	Data             json.RawMessage `json:"data,omitempty"`
}

// localized marks a JSON answer whose text (a reason) follows
// Accept-Language, so caches keep one copy per language.
func localized(w http.ResponseWriter, lng string) {
	w.Header().Set("Content-Language", lng)
	w.Header().Add("Vary", "Accept-Language")
}

func (s *server) lifecycleView(rec *gone.Record, lng string) lifecycleView {
	v := lifecycleView{
		Collection: rec.Collection, ID: rec.ID, State: rec.State(s.svc.Now()), Version: rec.Version,
		CreatedAt: answer.Stamp(rec.CreatedAt), UpdatedAt: answer.Stamp(rec.UpdatedAt),
		DeletedAt: answer.Stamp(rec.DeletedAt), RestorableUntil: answer.Stamp(rec.RestorableUntil), DeletedBy: rec.DeletedBy,
		Alternative: rec.Alternative, ExpiresAt: answer.Stamp(rec.ExpiresAt),
		UnavailableUntil: answer.Stamp(rec.UnavailableUntil), DeprecatedAt: answer.Stamp(rec.DeprecatedAt),
		Data: rec.Data,
	}
	if rec.MovedTo != "" {
		v.MovedTo = s.resourcePath(rec.Collection, rec.MovedTo)
	}
	if rec.Reason != "" {
		v.Reason = s.svc.Config().ReasonText(rec.Reason, lng)
		if v.Reason != rec.Reason {
			v.ReasonCode = rec.Reason
		}
	}
	v.Erased = rec.Data == nil && rec.MovedTo == "" && v.State != gone.StateLive
	return v
}
