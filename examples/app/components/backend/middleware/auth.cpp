// Who is asking: the session cookie set by /api/auth/login, or a bearer token from /api/auth/tokens.
// Unsafe requests made with the cookie need the CSRF token (X-CSRF-Token) and the app's own Origin.
#include <aegis/aegis.hpp>
#include <aegis/auth/auth.hpp>

AEGIS_MIDDLEWARE(session, "Sessions and bearer tokens: sets the principal; CSRF checks for cookie requests") {
  aegis::add_session_auth(app);
}
