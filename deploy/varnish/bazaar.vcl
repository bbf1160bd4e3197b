vcl 4.1;
#
# Varnish 7.1 in front of Bazaar's API processes (or the HAProxy in front of them).
# `deploy/varnish/run.sh` fills in the @PLACEHOLDERS@ and starts varnishd; see docs/CACHING.md.
#
# What it does:
# - caches only what the origin marks shareable (Cache-Control public / max-age / s-maxage),
#   for as long as it says (s-maxage first, minus Age);
# - serves stale while refreshing in the background for a few seconds (stale-while-revalidate),
#   and for the whole stale-if-error window while the origin is down or failing (grace mode);
# - never caches a personal answer: requests with Authorization or a session cookie go to the
#   origin, responses with Set-Cookie or private/no-store/no-cache are never stored;
# - accepts PURGE <url> and BAN (x-ban-tags: <tag> <tag>, matched against the objects'
#   Surrogate-Key) only from the API hosts, which the cache invalidator sends them from;
# - normalizes query strings (tracking parameters dropped, the rest sorted), so equivalent
#   search and list URLs share one object.

import std;

backend origin {
    .host = "@ORIGIN_HOST@";
    .port = "@ORIGIN_PORT@";
    .connect_timeout = 1s;
    .first_byte_timeout = 15s;
    .between_bytes_timeout = 5s;
    # A sick origin switches every request to the long grace (stale-if-error). Lenient on
    # purpose: an origin that is merely busy (a spike) must not be called sick, or every
    # uncached request would get a 503; one that is gone fails 4 probes in a row (~4 s).
    .probe = {
        .url = "/healthz";
        .interval = 1s;
        .timeout = 2s;
        .window = 5;
        .threshold = 2;
        .initial = 2;
    }
}

# The API and worker hosts: the only clients allowed to invalidate.
acl purgers {
    @PURGERS@
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        return (purge);
    }
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        std.collect(req.http.x-ban-tags, " ");
        # Tags are letters, digits and ":_-"; anything else would leak into the regular expression.
        if (!req.http.x-ban-tags || req.http.x-ban-tags !~ "^[A-Za-z0-9:_ -]+$") {
            return (synth(400, "BAN needs x-ban-tags: <tag> <tag>"));
        }
        # Only obj.* in the expression, so the ban lurker clears matching objects in the background.
        if (!std.ban("obj.http.surrogate-key ~ (^|\s)(" + regsuball(req.http.x-ban-tags, " +", "|") + ")(\s|$)")) {
            return (synth(400, std.ban_error()));
        }
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    # Personal: never looked up, never stored.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(@SESSION_COOKIES@)=") {
        return (pass);
    }
    # Other cookies (a guest cart, a visit, analytics, consent) are not part of the object's key and
    # do not change a shared page; they still reach the origin, which answers the pages that do
    # read them (the cart, the personal call after load) as private, and those are never stored.

    # One object per meaning: no tracking parameters, no empty ones, sorted.
    set req.url = regsuball(req.url, "([?&])(utm_[A-Za-z]+|gclid|fbclid|msclkid|mc_cid|mc_eid)=[^&]*", "\1");
    set req.url = regsuball(req.url, "([?&])[^=&]+=(&|$)", "\1");
    set req.url = regsuball(req.url, "&&+", "&");
    set req.url = regsub(req.url, "\?&", "?");
    set req.url = regsub(req.url, "[?&]+$", "");
    set req.url = std.querysort(req.url);

    # A healthy origin: serve stale only briefly while refreshing (stale-while-revalidate).
    # A sick one: the object's whole grace, i.e. its stale-if-error window.
    if (std.healthy(req.backend_hint)) {
        set req.grace = @HEALTHY_GRACE@s;
    }
    return (hash);
}

sub vcl_backend_response {
    # A failed refresh keeps the stale object instead of replacing it with the error.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    # Only what the origin explicitly shares is stored.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Cache-Control !~ "(?i)(public|max-age|s-maxage)"
        || beresp.http.Vary == "*") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # TTL comes from s-maxage / max-age minus Age (Varnish's default); grace from stale-if-error.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, ".*stale-if-error=([0-9]+).*", "\1") + "s", 300s);
    } else {
        set beresp.grace = 300s;
    }
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The tags are the origin's business.
    unset resp.http.Surrogate-Key;
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason + {"
"};
    return (deliver);
}
