//! Code generation: the oauth-core model trait, and the oauth-diesel query
//! glue, for each derive. Everything generated calls into oauth-core or
//! oauth-diesel; no behaviour is decided here.
//!
//! The lookups that run on every request (client, token, code, device code,
//! OAuth 1 credentials) are shaped for SQLite's and Diesel's statement
//! caches:
//! - `get_result`, not `first`: every lookup is by a unique column, and
//!   `first` adds `LIMIT ?`, whose bound value SQLite treats as an input of
//!   the query plan, so the cached statement was prepared again at every
//!   execution (4-5x the cost of the lookup itself, in
//!   `cargo bench -p oauth-diesel`);
//! - `on_backend!`: run on the concrete connection, where Diesel finds the
//!   prepared statement by the query's type without rendering SQL.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::DeriveInput;

use crate::parse::{Kind, Model, Role, parse};

pub(crate) const fn role(
    name: &'static str,
    required: bool,
    kind: Kind,
    purpose: &'static str,
) -> Role {
    Role {
        name,
        required,
        kind,
        purpose,
    }
}

const CLIENT_ROLES: &[Role] = &[
    role("client_id", true, Kind::Text, "the client identifier"),
    role(
        "client_secret",
        true,
        Kind::MaybeText,
        "the SHA-256 digest of the client secret; empty or NULL for public clients",
    ),
    role(
        "client_metadata",
        true,
        Kind::Text,
        "RFC 7591 metadata as JSON text: redirect_uris, grant_types, scope, ...",
    ),
    role(
        "client_id_issued_at",
        false,
        Kind::Int,
        "when the client was registered",
    ),
    role(
        "client_secret_expires_at",
        false,
        Kind::Int,
        "when the secret expires, 0 for never",
    ),
    role(
        "user_id",
        false,
        Kind::Owner,
        "the user who registered the client",
    ),
];

const TOKEN_ROLES: &[Role] = &[
    role(
        "client_id",
        true,
        Kind::Text,
        "the client the token was issued to",
    ),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the resource owner, NULL for client credentials; String, i32 or i64, or an Option of one",
    ),
    role("token_type", true, Kind::Text, "`Bearer`"),
    role(
        "access_token",
        true,
        Kind::Text,
        "the SHA-256 digest of the access token",
    ),
    role(
        "refresh_token",
        true,
        Kind::OptText,
        "the SHA-256 digest of the refresh token, NULL when none",
    ),
    role("scope", true, Kind::Text, "the access token's scope"),
    role(
        "refresh_token_scope",
        false,
        Kind::Text,
        "the scope the refresh token may ask for",
    ),
    role("issued_at", true, Kind::Int, "when the token was issued"),
    role("expires_in", true, Kind::Int, "the access token lifetime"),
    role(
        "access_token_revoked_at",
        true,
        Kind::OptInt,
        "when the access token was revoked",
    ),
    role(
        "refresh_token_revoked_at",
        true,
        Kind::OptInt,
        "when the refresh token was revoked",
    ),
    role(
        "grant_id",
        true,
        Kind::Text,
        "the token family, so a replayed code or refresh token revokes all of it",
    ),
];

const CODE_ROLES: &[Role] = &[
    role("code", true, Kind::Text, "the SHA-256 digest of the code"),
    role(
        "client_id",
        true,
        Kind::Text,
        "the client the code was issued to",
    ),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the resource owner who granted it; String, i32 or i64",
    ),
    role(
        "redirect_uri",
        true,
        Kind::MaybeText,
        "the redirect_uri of the request, if it named one",
    ),
    role("response_type", true, Kind::Text, "`code`"),
    role("scope", true, Kind::Text, "the granted scope"),
    role("auth_time", true, Kind::Int, "when the code was issued"),
    role("code_challenge", true, Kind::OptText, "the PKCE challenge"),
    role(
        "code_challenge_method",
        true,
        Kind::OptText,
        "the PKCE method",
    ),
    role("nonce", false, Kind::OptText, "the OpenID Connect nonce"),
];

const USER_ROLES: &[Role] = &[role(
    "id",
    true,
    Kind::Key,
    "the user's key, which tokens keep in their `user_id` column",
)];

pub(crate) fn private() -> TokenStream {
    quote!(::oauth_diesel::__private)
}

pub(crate) fn no_generics(input: &DeriveInput, derive: &str) -> syn::Result<()> {
    if input.generics.params.is_empty() {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            &input.generics,
            format!("#[derive({derive})] works on a plain struct without generic parameters"),
        ))
    }
}

/// Field access, column path and type of a role.
pub(crate) struct Col {
    pub field: TokenStream,
    pub column: TokenStream,
    pub ty: TokenStream,
}

pub(crate) fn col(m: &Model, role: &str) -> Col {
    let b = m.get(role);
    let field = &b.field;
    let column = &b.column;
    let table = &m.table;
    Col {
        field: quote!(#field),
        column: quote!(#table::#column),
        ty: b.ty.to_token_stream(),
    }
}

pub(crate) fn opt_col(m: &Model, role: &str) -> Option<Col> {
    m.find(role).map(|_| col(m, role))
}

pub fn client(input: DeriveInput) -> syn::Result<TokenStream> {
    no_generics(&input, "OAuth2Client")?;
    let m = parse(&input, "OAuth2Client", CLIENT_ROLES)?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let id = col(&m, "client_id");
    let secret = col(&m, "client_secret");
    let meta = col(&m, "client_metadata");
    let (idf, sf, mf) = (&id.field, &secret.field, &meta.field);
    let (st, idc, sc, mc) = (&secret.ty, &id.column, &secret.column, &meta.column);

    let expires = match opt_col(&m, "client_secret_expires_at") {
        Some(c) => {
            let f = &c.field;
            quote!(#p::IntColumn::to_i64(&self.#f))
        }
        None => quote!(0),
    };
    let mut inserts = vec![
        quote!(#idc.eq(&record.client_id)),
        quote!(#sc.eq(<#st as #p::TextColumn>::from_opt(record.client_secret_digest.as_deref()))),
        quote!(#mc.eq(#p::metadata_json(&record.metadata)?)),
    ];
    for (role, value) in [
        ("client_id_issued_at", quote!(record.client_id_issued_at)),
        (
            "client_secret_expires_at",
            quote!(record.client_secret_expires_at),
        ),
    ] {
        if let Some(c) = opt_col(&m, role) {
            let (column, ty) = (&c.column, &c.ty);
            inserts.push(quote!(#column.eq(<#ty as #p::IntColumn>::from_i64(#value)?)));
        }
    }
    if let Some(c) = opt_col(&m, "user_id") {
        let (column, ty) = (&c.column, &c.ty);
        inserts.push(quote!(#column.eq(<#ty as #p::OwnerColumn>::from_engine(owner)?)));
    }

    Ok(quote! {
        impl #p::oauth_core::OAuth2Client for #ident {
            fn client_id(&self) -> &str {
                &self.#idf
            }
            fn check_client_secret(&self, secret: &str) -> bool {
                match #p::TextColumn::as_opt_str(&self.#sf) {
                    Some(digest) => #p::oauth_core::secrets::verify_client_secret(digest, secret),
                    None => false,
                }
            }
            fn client_secret_expires_at(&self) -> i64 {
                #expires
            }
            fn token_endpoint_auth_method(&self) -> #p::oauth_core::ClientAuthMethod {
                #p::parse_metadata(&self.#mf).token_endpoint_auth_method
            }
            fn redirect_uris(&self) -> ::std::vec::Vec<::std::string::String> {
                #p::parse_metadata(&self.#mf).redirect_uris
            }
            fn grant_types(&self) -> ::std::vec::Vec<::std::string::String> {
                #p::parse_metadata(&self.#mf).grant_types
            }
            fn response_types(&self) -> ::std::vec::Vec<::std::string::String> {
                #p::parse_metadata(&self.#mf).response_types
            }
            fn scope(&self) -> #p::oauth_core::Scope {
                #p::oauth_core::Scope::from_stored(
                    #p::parse_metadata(&self.#mf).scope.as_deref().unwrap_or_default(),
                )
            }
            fn client_name(&self) -> ::std::option::Option<::std::string::String> {
                #p::parse_metadata(&self.#mf).client_name
            }
        }

        impl #p::DieselClient for #ident {
            fn find_by_client_id(
                conn: &mut #p::AnyConnection,
                client_id: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                use #p::diesel::prelude::*;
                #p::on_backend!(conn, |conn| #table::table
                    .filter(#idc.eq(client_id))
                    .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
                    .get_result(conn)
                    .optional())
            }

            fn insert(
                conn: &mut #p::AnyConnection,
                record: &#p::oauth_core::ClientRecord,
                owner: ::std::option::Option<&str>,
            ) -> #p::diesel::QueryResult<()> {
                use #p::diesel::prelude::*;
                let _ = owner;
                #p::diesel::insert_into(#table::table)
                    .values((#(#inserts,)*))
                    .execute(conn)?;
                Ok(())
            }

            fn delete_by_client_id(
                conn: &mut #p::AnyConnection,
                client_id: &str,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                #p::diesel::delete(#table::table.filter(#idc.eq(client_id))).execute(conn)
            }
        }
    })
}

pub fn token(input: DeriveInput) -> syn::Result<TokenStream> {
    no_generics(&input, "OAuth2Token")?;
    let m = parse(&input, "OAuth2Token", TOKEN_ROLES)?;
    same_type(&m, "issued_at", "expires_in", "OAuth2Token")?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let c = |r| col(&m, r);
    let (client_id, user_id, token_type) = (c("client_id"), c("user_id"), c("token_type"));
    let (access, refresh, scope) = (c("access_token"), c("refresh_token"), c("scope"));
    let (issued, expires) = (c("issued_at"), c("expires_in"));
    let (arev, rrev, grant) = (
        c("access_token_revoked_at"),
        c("refresh_token_revoked_at"),
        c("grant_id"),
    );
    let rts = opt_col(&m, "refresh_token_scope");

    let f = |c: &Col| c.field.clone();
    let (cif, uif, ttf, rf, sf) = (
        f(&client_id),
        f(&user_id),
        f(&token_type),
        f(&refresh),
        f(&scope),
    );
    let (iaf, eif, arf, rrf, gf) = (f(&issued), f(&expires), f(&arev), f(&rrev), f(&grant));
    let refresh_scope = match &rts {
        Some(c) => {
            let field = &c.field;
            quote!(#p::oauth_core::Scope::from_stored(&self.#field))
        }
        None => quote!(#p::oauth_core::OAuth2Token::scope(self)),
    };

    let (cic, uic, uit, ttc) = (
        &client_id.column,
        &user_id.column,
        &user_id.ty,
        &token_type.column,
    );
    let (ac, rc, sc) = (&access.column, &refresh.column, &scope.column);
    let (iac, iat, eic, eit) = (&issued.column, &issued.ty, &expires.column, &expires.ty);
    let (arc, art, rrc, rrt, gc) = (
        &arev.column,
        &arev.ty,
        &rrev.column,
        &rrev.ty,
        &grant.column,
    );
    let mut inserts = vec![
        quote!(#cic.eq(&new.client_id)),
        quote!(#uic.eq(<#uit as #p::OwnerColumn>::from_engine(new.user_id.as_deref())?)),
        quote!(#ttc.eq(&new.token_type)),
        quote!(#ac.eq(&new.access_token_digest)),
        quote!(#rc.eq(new.refresh_token_digest.as_deref())),
        quote!(#sc.eq(&new.scope)),
        quote!(#iac.eq(<#iat as #p::IntColumn>::from_i64(new.issued_at)?)),
        quote!(#eic.eq(<#eit as #p::IntColumn>::from_i64(new.expires_in)?)),
        quote!(#gc.eq(&new.grant_id)),
    ];
    if let Some(c) = &rts {
        let column = &c.column;
        inserts.push(quote!(#column.eq(&new.refresh_token_scope)));
    }

    Ok(quote! {
        impl #p::oauth_core::OAuth2Token for #ident {
            fn client_id(&self) -> &str {
                &self.#cif
            }
            fn user_id(&self) -> ::std::option::Option<::std::string::String> {
                #p::OwnerColumn::to_engine(&self.#uif)
            }
            fn token_type(&self) -> &str {
                &self.#ttf
            }
            fn scope(&self) -> #p::oauth_core::Scope {
                #p::oauth_core::Scope::from_stored(&self.#sf)
            }
            fn refresh_token_scope(&self) -> #p::oauth_core::Scope {
                #refresh_scope
            }
            fn issued_at(&self) -> i64 {
                #p::IntColumn::to_i64(&self.#iaf)
            }
            fn expires_in(&self) -> i64 {
                #p::IntColumn::to_i64(&self.#eif)
            }
            fn has_refresh_token(&self) -> bool {
                self.#rf.is_some()
            }
            fn is_access_token_revoked(&self) -> bool {
                self.#arf.is_some()
            }
            fn is_refresh_token_revoked(&self) -> bool {
                self.#rrf.is_some()
            }
            fn grant_id(&self) -> &str {
                &self.#gf
            }
        }

        impl #p::DieselToken for #ident {
            fn insert(
                conn: &mut #p::AnyConnection,
                new: &#p::oauth_core::NewToken,
            ) -> #p::diesel::QueryResult<()> {
                use #p::diesel::prelude::*;
                #p::diesel::insert_into(#table::table)
                    .values((#(#inserts,)*))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_access_digest(
                conn: &mut #p::AnyConnection,
                digest: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                use #p::diesel::prelude::*;
                #p::on_backend!(conn, |conn| #table::table
                    .filter(#ac.eq(digest))
                    .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
                    .get_result(conn)
                    .optional())
            }

            fn find_by_refresh_digest(
                conn: &mut #p::AnyConnection,
                digest: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                use #p::diesel::prelude::*;
                #p::on_backend!(conn, |conn| #table::table
                    .filter(#rc.eq(digest))
                    .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
                    .get_result(conn)
                    .optional())
            }

            fn revoke_access(
                conn: &mut #p::AnyConnection,
                digest: &str,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                #p::diesel::update(#table::table.filter(#ac.eq(digest)).filter(#arc.is_null()))
                    .set(#arc.eq(<#art as #p::OptIntColumn>::at(now)?))
                    .execute(conn)
            }

            fn revoke_refresh_if_active(
                conn: &mut #p::AnyConnection,
                digest: &str,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let claimed = #p::diesel::update(
                    #table::table.filter(#rc.eq(digest)).filter(#rrc.is_null()),
                )
                .set(#rrc.eq(<#rrt as #p::OptIntColumn>::at(now)?))
                .execute(conn)?;
                if claimed > 0 {
                    #p::diesel::update(
                        #table::table.filter(#rc.eq(digest)).filter(#arc.is_null()),
                    )
                    .set(#arc.eq(<#art as #p::OptIntColumn>::at(now)?))
                    .execute(conn)?;
                }
                Ok(claimed)
            }

            fn revoke_grant(
                conn: &mut #p::AnyConnection,
                grant_id: &str,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let access = #p::diesel::update(
                    #table::table.filter(#gc.eq(grant_id)).filter(#arc.is_null()),
                )
                .set(#arc.eq(<#art as #p::OptIntColumn>::at(now)?))
                .execute(conn)?;
                let refresh = #p::diesel::update(
                    #table::table
                        .filter(#gc.eq(grant_id))
                        .filter(#rc.is_not_null())
                        .filter(#rrc.is_null()),
                )
                .set(#rrc.eq(<#rrt as #p::OptIntColumn>::at(now)?))
                .execute(conn)?;
                Ok(access + refresh)
            }

            fn delete_expired(
                conn: &mut #p::AnyConnection,
                now: i64,
                refresh_lifetime: ::std::option::Option<i64>,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let now_v = <#iat as #p::IntColumn>::from_i64(now)?;
                let access_expired = (#iac + #eic).le(now_v);
                match refresh_lifetime {
                    Some(lifetime) => {
                        let cutoff = <#iat as #p::IntColumn>::from_i64(now.saturating_sub(lifetime))?;
                        #p::diesel::delete(#table::table.filter(
                            access_expired.and(#rc.is_null().or(#iac.le(cutoff))),
                        ))
                        .execute(conn)
                    }
                    None => #p::diesel::delete(
                        #table::table.filter(access_expired.and(#rc.is_null())),
                    )
                    .execute(conn),
                }
            }
        }
    })
}

pub fn code(input: DeriveInput) -> syn::Result<TokenStream> {
    no_generics(&input, "OAuth2AuthorizationCode")?;
    let m = parse(&input, "OAuth2AuthorizationCode", CODE_ROLES)?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let c = |r| col(&m, r);
    let (code, client_id, user_id) = (c("code"), c("client_id"), c("user_id"));
    let (redirect, response_type, scope) = (c("redirect_uri"), c("response_type"), c("scope"));
    let (auth_time, challenge, method) = (
        c("auth_time"),
        c("code_challenge"),
        c("code_challenge_method"),
    );
    let nonce = opt_col(&m, "nonce");

    let (cif, uif, rdf, sf) = (
        &client_id.field,
        &user_id.field,
        &redirect.field,
        &scope.field,
    );
    let (atf, chf, mf) = (&auth_time.field, &challenge.field, &method.field);
    let nonce_fn = match &nonce {
        Some(n) => {
            let f = &n.field;
            quote!(self.#f.as_deref())
        }
        None => quote!(None),
    };
    let (cc, cic, uic, uit) = (
        &code.column,
        &client_id.column,
        &user_id.column,
        &user_id.ty,
    );
    let (rdc, rdt, rtc, sc) = (
        &redirect.column,
        &redirect.ty,
        &response_type.column,
        &scope.column,
    );
    let (atc, att, chc, mc) = (
        &auth_time.column,
        &auth_time.ty,
        &challenge.column,
        &method.column,
    );
    let mut inserts = vec![
        quote!(#cc.eq(&new.code_digest)),
        quote!(#cic.eq(&new.client_id)),
        quote!(#uic.eq(<#uit as #p::OwnerColumn>::from_engine(Some(new.user_id.as_str()))?)),
        quote!(#rdc.eq(<#rdt as #p::TextColumn>::from_opt(new.redirect_uri.as_deref()))),
        quote!(#rtc.eq(&new.response_type)),
        quote!(#sc.eq(&new.scope)),
        quote!(#atc.eq(<#att as #p::IntColumn>::from_i64(new.auth_time)?)),
        quote!(#chc.eq(new.code_challenge.as_deref())),
        quote!(#mc.eq(new.code_challenge_method.as_deref())),
    ];
    if let Some(n) = &nonce {
        let column = &n.column;
        inserts.push(quote!(#column.eq(new.nonce.as_deref())));
    }

    Ok(quote! {
        impl #p::oauth_core::OAuth2AuthorizationCode for #ident {
            fn client_id(&self) -> &str {
                &self.#cif
            }
            fn user_id(&self) -> ::std::string::String {
                #p::OwnerColumn::to_engine(&self.#uif).unwrap_or_default()
            }
            fn redirect_uri(&self) -> ::std::option::Option<&str> {
                #p::TextColumn::as_opt_str(&self.#rdf)
            }
            fn scope(&self) -> #p::oauth_core::Scope {
                #p::oauth_core::Scope::from_stored(&self.#sf)
            }
            fn auth_time(&self) -> i64 {
                #p::IntColumn::to_i64(&self.#atf)
            }
            fn code_challenge(&self) -> ::std::option::Option<&str> {
                self.#chf.as_deref()
            }
            fn code_challenge_method(&self) -> ::std::option::Option<&str> {
                self.#mf.as_deref()
            }
            fn nonce(&self) -> ::std::option::Option<&str> {
                #nonce_fn
            }
        }

        impl #p::DieselAuthorizationCode for #ident {
            fn insert(
                conn: &mut #p::AnyConnection,
                new: &#p::oauth_core::NewAuthorizationCode,
            ) -> #p::diesel::QueryResult<()> {
                use #p::diesel::prelude::*;
                #p::diesel::insert_into(#table::table)
                    .values((#(#inserts,)*))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_digest(
                conn: &mut #p::AnyConnection,
                digest: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                use #p::diesel::prelude::*;
                #p::on_backend!(conn, |conn| #table::table
                    .filter(#cc.eq(digest))
                    .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
                    .get_result(conn)
                    .optional())
            }

            fn delete_by_digest(
                conn: &mut #p::AnyConnection,
                digest: &str,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                #p::diesel::delete(#table::table.filter(#cc.eq(digest))).execute(conn)
            }

            fn delete_issued_before(
                conn: &mut #p::AnyConnection,
                cutoff: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let cutoff = <#att as #p::IntColumn>::from_i64(cutoff)?;
                #p::diesel::delete(#table::table.filter(#atc.le(cutoff))).execute(conn)
            }
        }
    })
}

pub(crate) fn same_type(m: &Model, a: &str, b: &str, derive: &str) -> syn::Result<()> {
    let (ta, tb) = (&m.get(a).ty, &m.get(b).ty);
    if crate::parse::shape(ta) == crate::parse::shape(tb) {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            tb,
            format!(
                "#[derive({derive})]: `{b}` must have the same type as `{a}` (`{}`), \
                 so that expiry can be computed in SQL",
                crate::parse::shape(ta)
            ),
        ))
    }
}

pub fn user(input: DeriveInput) -> syn::Result<TokenStream> {
    no_generics(&input, "OAuth2User")?;
    let m = parse(&input, "OAuth2User", USER_ROLES)?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let id = col(&m, "id");
    let (column, ty) = (&id.column, &id.ty);
    Ok(quote! {
        impl #p::DieselUser for #ident {
            fn find_by_user_id(
                conn: &mut #p::AnyConnection,
                user_id: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                use #p::diesel::prelude::*;
                let id = <#ty as #p::OwnerColumn>::from_engine(::std::option::Option::Some(user_id))?;
                #p::on_backend!(conn, |conn| #table::table
                    .filter(#column.eq(id))
                    .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
                    .get_result(conn)
                    .optional())
            }
        }
    })
}
