//! The OAuth 1.0a derives: `OAuth1Client`, `OAuth1TemporaryCredential` and
//! `OAuth1TokenCredential`, each generating the oauth-core model trait and
//! the oauth-diesel query glue against the struct's table.
//!
//! Column names follow Authlib's OAuth 1 SQLAlchemy mixins where they have
//! one (`client_id`, `client_secret`, `rsa_public_key`, `oauth_token`,
//! `oauth_token_secret`, `oauth_callback`, `user_id`), Flask-OAuthlib's for
//! realms (`default_realms`, `realms`), and say what they hold where the
//! value differs from Authlib's: the verifier is stored only as a digest,
//! hence `oauth_verifier_digest`.
//!
//! Lookups by `client_id` and `oauth_token` are exact: the row found must
//! equal the key byte for byte, so that MySQL's PAD SPACE collations
//! (`'a' = 'a '`) behave like the other databases.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::expand::{Col, col, no_generics, opt_col, private, role};
use crate::parse::{Attr, Kind, Model, Role, parse_with};

/// `#[oauth1(role)]`.
const OAUTH1: Attr = Attr {
    name: "oauth1",
    example: "#[oauth1(oauth_token)] token: String",
};

const CLIENT_ROLES: &[Role] = &[
    role(
        "client_id",
        true,
        Kind::Text,
        "the client identifier, `oauth_consumer_key`",
    ),
    role(
        "client_secret",
        true,
        Kind::MaybeText,
        "the shared secret in clear, the HMAC-SHA1 key; empty or NULL for an RSA-only client",
    ),
    role(
        "redirect_uris",
        true,
        Kind::MaybeText,
        "the registered callback URIs, space-separated (Authlib's single \
         `default_redirect_uri` works as it is)",
    ),
    role(
        "rsa_public_key",
        false,
        Kind::MaybeText,
        "the PEM public key for RSA-SHA1",
    ),
    role(
        "default_realms",
        false,
        Kind::MaybeText,
        "the realms the client gets, and may ask for, space-separated",
    ),
    role(
        "client_name",
        false,
        Kind::MaybeText,
        "a name to show the resource owner",
    ),
    role(
        "user_id",
        false,
        Kind::Owner,
        "the user who registered the client",
    ),
];

const TEMPORARY_ROLES: &[Role] = &[
    role(
        "oauth_token",
        true,
        Kind::Text,
        "the temporary credential identifier",
    ),
    role(
        "oauth_token_secret",
        true,
        Kind::Text,
        "the temporary credential secret in clear, an HMAC-SHA1 key",
    ),
    role("client_id", true, Kind::Text, "the client it was issued to"),
    role(
        "oauth_callback",
        true,
        Kind::Text,
        "the callback URI of the request, or `oob`",
    ),
    role(
        "oauth_verifier_digest",
        true,
        Kind::OptText,
        "the SHA-256 digest of the verifier, NULL until authorized",
    ),
    role(
        "user_id",
        true,
        Kind::OptOwner,
        "the resource owner who authorized it, NULL until then",
    ),
    role(
        "realms",
        false,
        Kind::MaybeText,
        "the realms asked for, space-separated",
    ),
    role("expires_at", true, Kind::Int, "when it expires"),
];

const TOKEN_ROLES: &[Role] = &[
    role("oauth_token", true, Kind::Text, "the token identifier"),
    role(
        "oauth_token_secret",
        true,
        Kind::Text,
        "the token secret in clear, an HMAC-SHA1 key",
    ),
    role("client_id", true, Kind::Text, "the client it was issued to"),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the resource owner who authorized it; String, i32 or i64",
    ),
    role(
        "realms",
        false,
        Kind::MaybeText,
        "the realms it covers, space-separated",
    ),
    role("issued_at", false, Kind::Int, "when it was issued"),
];

/// An optional space-separated list column read as a `Vec<String>` (empty
/// without the column).
fn list_getter(m: &Model, role: &str) -> TokenStream {
    let p = private();
    match opt_col(m, role) {
        Some(Col { field, .. }) => quote! {
            #p::split_list(#p::TextColumn::as_opt_str(&self.#field).unwrap_or_default())
        },
        None => quote!(::std::vec::Vec::new()),
    }
}

/// The insert of an optional text column: the value when the model has the
/// column; otherwise a statement that fails when there is a value to
/// store, since dropping it silently would change what the credential
/// allows.
fn optional_text_insert(
    m: &Model,
    derive: &str,
    role: &str,
    value: TokenStream,
    inserts: &mut Vec<TokenStream>,
    checks: &mut Vec<TokenStream>,
) {
    let p = private();
    match opt_col(m, role) {
        Some(c) => {
            let (column, ty) = (&c.column, &c.ty);
            inserts.push(quote!(#column.eq(<#ty as #p::TextColumn>::from_opt(#value))));
        }
        None => checks.push(quote! {
            if (#value).is_some() {
                return ::std::result::Result::Err(#p::no_column_for(#derive, #role));
            }
        }),
    }
}

/// `SELECT ... WHERE key = ?`, keeping the row only if its key equals the
/// one asked for byte for byte.
fn find_exact(m: &Model, key: &Col, arg: &syn::Ident) -> TokenStream {
    let p = private();
    let table = &m.table;
    let (column, field) = (&key.column, &key.field);
    quote! {
        use #p::diesel::prelude::*;
        let found: ::std::option::Option<Self> = #p::on_backend!(conn, |conn| #table::table
            .filter(#column.eq(#arg))
            .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
            .get_result(conn)
            .optional())?;
        Ok(found.filter(|row| row.#field == #arg))
    }
}

pub fn client(input: DeriveInput) -> syn::Result<TokenStream> {
    const DERIVE: &str = "OAuth1Client";
    no_generics(&input, DERIVE)?;
    let m = parse_with(&input, DERIVE, &OAUTH1, CLIENT_ROLES)?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let id = col(&m, "client_id");
    let secret = col(&m, "client_secret");
    let uris = col(&m, "redirect_uris");
    let (idf, sf) = (&id.field, &secret.field);
    let (idc, sc, st) = (&id.column, &secret.column, &secret.ty);
    let (uc, ut) = (&uris.column, &uris.ty);
    let uris_get = list_getter(&m, "redirect_uris");
    let realms_get = list_getter(&m, "default_realms");
    let rsa_get = match opt_col(&m, "rsa_public_key") {
        Some(Col { field, .. }) => quote!(#p::TextColumn::as_opt_str(&self.#field)),
        None => quote!(::std::option::Option::None),
    };
    let name_get = match opt_col(&m, "client_name") {
        Some(Col { field, .. }) => {
            quote!(#p::TextColumn::as_opt_str(&self.#field).map(::std::borrow::ToOwned::to_owned))
        }
        None => quote!(::std::option::Option::None),
    };

    let mut inserts = vec![
        quote!(#idc.eq(&record.client_id)),
        quote!(#sc.eq(<#st as #p::TextColumn>::from_opt(#p::non_empty(&record.client_secret)))),
        quote!(#uc.eq(<#ut as #p::TextColumn>::from_opt(#p::non_empty(&redirect_uris)))),
    ];
    let mut checks = Vec::new();
    optional_text_insert(
        &m,
        DERIVE,
        "rsa_public_key",
        quote!(record.rsa_public_key.as_deref()),
        &mut inserts,
        &mut checks,
    );
    optional_text_insert(
        &m,
        DERIVE,
        "default_realms",
        quote!(#p::non_empty(&default_realms)),
        &mut inserts,
        &mut checks,
    );
    if let Some(c) = opt_col(&m, "client_name") {
        let (column, ty) = (&c.column, &c.ty);
        inserts.push(
            quote!(#column.eq(<#ty as #p::TextColumn>::from_opt(record.client_name.as_deref()))),
        );
    }
    if let Some(c) = opt_col(&m, "user_id") {
        let (column, ty) = (&c.column, &c.ty);
        inserts.push(quote!(#column.eq(<#ty as #p::OwnerColumn>::from_engine(owner)?)));
    }
    let find = find_exact(
        &m,
        &id,
        &syn::Ident::new("client_id", proc_macro2::Span::call_site()),
    );

    Ok(quote! {
        impl #p::oauth_core::oauth1::OAuth1Client for #ident {
            fn client_id(&self) -> &str {
                &self.#idf
            }
            fn client_secret(&self) -> &str {
                #p::TextColumn::as_opt_str(&self.#sf).unwrap_or_default()
            }
            fn rsa_public_key(&self) -> ::std::option::Option<&str> {
                #rsa_get
            }
            fn redirect_uris(&self) -> ::std::vec::Vec<::std::string::String> {
                #uris_get
            }
            fn default_realms(&self) -> ::std::vec::Vec<::std::string::String> {
                #realms_get
            }
            fn client_name(&self) -> ::std::option::Option<::std::string::String> {
                #name_get
            }
        }

        impl #p::DieselOAuth1Client for #ident {
            fn find_by_client_id(
                conn: &mut #p::AnyConnection,
                client_id: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                #find
            }

            fn insert(
                conn: &mut #p::AnyConnection,
                record: &#p::oauth_core::oauth1::OAuth1ClientRecord,
                owner: ::std::option::Option<&str>,
            ) -> #p::diesel::QueryResult<()> {
                use #p::diesel::prelude::*;
                let _ = owner;
                let redirect_uris = #p::join_list(&record.redirect_uris, "redirect URI")?;
                let default_realms = #p::join_list(&record.default_realms, "realm")?;
                #(#checks)*
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

pub fn temporary_credential(input: DeriveInput) -> syn::Result<TokenStream> {
    const DERIVE: &str = "OAuth1TemporaryCredential";
    no_generics(&input, DERIVE)?;
    let m = parse_with(&input, DERIVE, &OAUTH1, TEMPORARY_ROLES)?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let c = |r| col(&m, r);
    let (token, secret, client_id) = (c("oauth_token"), c("oauth_token_secret"), c("client_id"));
    let (callback, verifier, user_id, expires) = (
        c("oauth_callback"),
        c("oauth_verifier_digest"),
        c("user_id"),
        c("expires_at"),
    );
    let (tf, sf, cif) = (&token.field, &secret.field, &client_id.field);
    let (cbf, vf, uif, ef) = (
        &callback.field,
        &verifier.field,
        &user_id.field,
        &expires.field,
    );
    let (tc, sc, cic, cbc) = (
        &token.column,
        &secret.column,
        &client_id.column,
        &callback.column,
    );
    let (vc, uic, uit, ec, et) = (
        &verifier.column,
        &user_id.column,
        &user_id.ty,
        &expires.column,
        &expires.ty,
    );
    let realms_get = list_getter(&m, "realms");

    let mut inserts = vec![
        quote!(#tc.eq(&record.oauth_token)),
        quote!(#sc.eq(&record.oauth_token_secret)),
        quote!(#cic.eq(&record.client_id)),
        quote!(#cbc.eq(&record.oauth_callback)),
        quote!(#vc.eq(record.verifier_digest.as_deref())),
        quote!(#uic.eq(<#uit as #p::OwnerColumn>::from_engine(record.user_id.as_deref())?)),
        quote!(#ec.eq(<#et as #p::IntColumn>::from_i64(record.expires_at)?)),
    ];
    let mut checks = Vec::new();
    optional_text_insert(
        &m,
        DERIVE,
        "realms",
        quote!(#p::non_empty(&record.realms)),
        &mut inserts,
        &mut checks,
    );
    let find = find_exact(
        &m,
        &token,
        &syn::Ident::new("oauth_token", proc_macro2::Span::call_site()),
    );

    Ok(quote! {
        impl #p::oauth_core::oauth1::OAuth1TemporaryCredential for #ident {
            fn oauth_token(&self) -> &str {
                &self.#tf
            }
            fn oauth_token_secret(&self) -> &str {
                &self.#sf
            }
            fn client_id(&self) -> &str {
                &self.#cif
            }
            fn callback(&self) -> &str {
                &self.#cbf
            }
            fn verifier_digest(&self) -> ::std::option::Option<&str> {
                self.#vf.as_deref()
            }
            fn user_id(&self) -> ::std::option::Option<::std::string::String> {
                #p::OwnerColumn::to_engine(&self.#uif)
            }
            fn realms(&self) -> ::std::vec::Vec<::std::string::String> {
                #realms_get
            }
            fn expires_at(&self) -> i64 {
                #p::IntColumn::to_i64(&self.#ef)
            }
        }

        impl #p::DieselTemporaryCredential for #ident {
            fn insert(
                conn: &mut #p::AnyConnection,
                record: &#p::oauth_core::oauth1::TemporaryCredentialRecord,
            ) -> #p::diesel::QueryResult<()> {
                use #p::diesel::prelude::*;
                #(#checks)*
                #p::diesel::insert_into(#table::table)
                    .values((#(#inserts,)*))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_token(
                conn: &mut #p::AnyConnection,
                oauth_token: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                #find
            }

            fn authorize(
                conn: &mut #p::AnyConnection,
                oauth_token: &str,
                user_id: &str,
                verifier_digest: &str,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let now_v = <#et as #p::IntColumn>::from_i64(now)?;
                #p::diesel::update(
                    #table::table
                        .filter(#tc.eq(oauth_token))
                        .filter(#vc.is_null())
                        .filter(#ec.gt(now_v)),
                )
                .set((
                    #vc.eq(::std::option::Option::Some(verifier_digest)),
                    #uic.eq(<#uit as #p::OwnerColumn>::from_engine(
                        ::std::option::Option::Some(user_id),
                    )?),
                ))
                .execute(conn)
            }

            fn delete_by_token(
                conn: &mut #p::AnyConnection,
                oauth_token: &str,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                #p::diesel::delete(#table::table.filter(#tc.eq(oauth_token))).execute(conn)
            }

            fn delete_expired(
                conn: &mut #p::AnyConnection,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let now_v = <#et as #p::IntColumn>::from_i64(now)?;
                #p::diesel::delete(#table::table.filter(#ec.le(now_v))).execute(conn)
            }
        }
    })
}

pub fn token_credential(input: DeriveInput) -> syn::Result<TokenStream> {
    const DERIVE: &str = "OAuth1TokenCredential";
    no_generics(&input, DERIVE)?;
    let m = parse_with(&input, DERIVE, &OAUTH1, TOKEN_ROLES)?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let c = |r| col(&m, r);
    let (token, secret, client_id, user_id) = (
        c("oauth_token"),
        c("oauth_token_secret"),
        c("client_id"),
        c("user_id"),
    );
    let (tf, sf, cif, uif) = (
        &token.field,
        &secret.field,
        &client_id.field,
        &user_id.field,
    );
    let (tc, sc, cic, uic, uit) = (
        &token.column,
        &secret.column,
        &client_id.column,
        &user_id.column,
        &user_id.ty,
    );
    let realms_get = list_getter(&m, "realms");

    let mut inserts = vec![
        quote!(#tc.eq(&record.oauth_token)),
        quote!(#sc.eq(&record.oauth_token_secret)),
        quote!(#cic.eq(&record.client_id)),
        quote!(#uic.eq(<#uit as #p::OwnerColumn>::from_engine(
            ::std::option::Option::Some(record.user_id.as_str()),
        )?)),
    ];
    let mut checks = Vec::new();
    optional_text_insert(
        &m,
        DERIVE,
        "realms",
        quote!(#p::non_empty(&record.realms)),
        &mut inserts,
        &mut checks,
    );
    if let Some(c) = opt_col(&m, "issued_at") {
        let (column, ty) = (&c.column, &c.ty);
        inserts.push(quote!(#column.eq(<#ty as #p::IntColumn>::from_i64(record.issued_at)?)));
    }
    let find = find_exact(
        &m,
        &token,
        &syn::Ident::new("oauth_token", proc_macro2::Span::call_site()),
    );

    Ok(quote! {
        impl #p::oauth_core::oauth1::OAuth1TokenCredential for #ident {
            fn oauth_token(&self) -> &str {
                &self.#tf
            }
            fn oauth_token_secret(&self) -> &str {
                &self.#sf
            }
            fn client_id(&self) -> &str {
                &self.#cif
            }
            fn user_id(&self) -> ::std::string::String {
                #p::OwnerColumn::to_engine(&self.#uif).unwrap_or_default()
            }
            fn realms(&self) -> ::std::vec::Vec<::std::string::String> {
                #realms_get
            }
        }

        impl #p::DieselTokenCredential for #ident {
            fn insert(
                conn: &mut #p::AnyConnection,
                record: &#p::oauth_core::oauth1::TokenCredentialRecord,
            ) -> #p::diesel::QueryResult<()> {
                use #p::diesel::prelude::*;
                #(#checks)*
                #p::diesel::insert_into(#table::table)
                    .values((#(#inserts,)*))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_token(
                conn: &mut #p::AnyConnection,
                oauth_token: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                #find
            }

            fn delete_by_token(
                conn: &mut #p::AnyConnection,
                oauth_token: &str,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                #p::diesel::delete(#table::table.filter(#tc.eq(oauth_token))).execute(conn)
            }
        }
    })
}
