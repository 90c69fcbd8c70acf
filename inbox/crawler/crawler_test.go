package crawler

import "testing"

func TestIsCrawler(t *testing.T) {
	t.Parallel()
	d := New()
	tests := []struct {
		ua   string
		want bool
	}{
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true},
		{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true},
		{"curl/8.5.0", true},
		{"python-requests/2.31.0", true},
		{"", true},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", false},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", false},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", false},
	}
	for range 2 { // the second round answers from the cache
		for _, tt := range tests {
			if got := d.IsCrawler(tt.ua); got != tt.want {
				t.Errorf("IsCrawler(%q) = %v, want %v", tt.ua, got, tt.want)
			}
		}
	}
}
