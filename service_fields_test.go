package gone

import (
	"reflect"
	"testing"
	"time"
)

// Service is narrow: other packages reach its store, config and tokens
// through its methods, and its settings are fixed by NewService's options.
// An exported field would let another package read around the methods or
// rewrite a Service after construction; this fails when one comes back.
func TestServiceHasNoExportedField(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[Service]()
	for i := range typ.NumField() {
		if f := typ.Field(i); f.IsExported() {
			t.Errorf("Service has exported field %s %s, want none: give it a method or an Option", f.Name, f.Type)
		}
	}
}

// The accessors give back what NewService was given, and At's service
// shares them.
func TestServiceAccessors(t *testing.T) {
	t.Parallel()
	cfg := &Config{Collections: map[string]Policy{"users": {Collection: "users"}}}
	svc := NewService(&memStore{recs: map[string]*Record{}}, cfg)
	if got := svc.Config(); got != cfg {
		t.Errorf("Config() = %p, want the config given to NewService (%p)", got, cfg)
	}
	if got := svc.At(time.Unix(0, 0)).Config(); got != cfg {
		t.Errorf("At(t).Config() = %p, want the config given to NewService (%p)", got, cfg)
	}
	if svc.Webhooks() != nil {
		t.Errorf("Webhooks() = %v over a store that keeps none, want nil", svc.Webhooks())
	}
}
