//! `#[derive(OAuth2DeviceCode)]`: the RFC 8628 device code model and its
//! Diesel glue.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::expand::{col, no_generics, opt_col, private, role, same_type};
use crate::parse::{Kind, Role, parse};

const DEVICE_ROLES: &[Role] = &[
    role(
        "device_code",
        true,
        Kind::Text,
        "the SHA-256 digest of the device code",
    ),
    role(
        "user_code",
        true,
        Kind::OptText,
        "the SHA-256 digest of the normalised user code, NULL once freed",
    ),
    role("client_id", true, Kind::Text, "the client that asked"),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the user who decided, NULL while pending; String, i32 or i64, in an Option",
    ),
    role("scope", true, Kind::Text, "the requested scope"),
    role(
        "status",
        true,
        Kind::Text,
        "pending, approved, denied or consumed",
    ),
    role("issued_at", true, Kind::Int, "when the device asked"),
    role(
        "expires_at",
        true,
        Kind::Int,
        "when the device code expires",
    ),
    role(
        "polling_interval",
        true,
        Kind::Int,
        "the polling interval in seconds, raised by slow_down",
    ),
    role(
        "last_polled_at",
        true,
        Kind::OptInt,
        "when the device last polled",
    ),
];

pub fn device_code(input: DeriveInput) -> syn::Result<TokenStream> {
    no_generics(&input, "OAuth2DeviceCode")?;
    let m = parse(&input, "OAuth2DeviceCode", DEVICE_ROLES)?;
    same_type(&m, "issued_at", "expires_at", "OAuth2DeviceCode")?;
    same_type(&m, "issued_at", "polling_interval", "OAuth2DeviceCode")?;
    let p = private();
    let ident = &m.ident;
    let table = &m.table;
    let c = |r| col(&m, r);
    let (device, user_code, client_id, user_id) = (
        c("device_code"),
        c("user_code"),
        c("client_id"),
        c("user_id"),
    );
    let (scope, status, issued, expires) =
        (c("scope"), c("status"), c("issued_at"), c("expires_at"));
    let (interval, polled) = (c("polling_interval"), c("last_polled_at"));
    let _ = opt_col;

    let (cif, uif, sf, stf) = (
        &client_id.field,
        &user_id.field,
        &scope.field,
        &status.field,
    );
    let (iaf, eaf, inf, lpf) = (
        &issued.field,
        &expires.field,
        &interval.field,
        &polled.field,
    );
    let (dc, uc, cic, uic, uit) = (
        &device.column,
        &user_code.column,
        &client_id.column,
        &user_id.column,
        &user_id.ty,
    );
    let (sc, stc, iac, iat) = (&scope.column, &status.column, &issued.column, &issued.ty);
    let (eac, inc, lpc, lpt) = (
        &expires.column,
        &interval.column,
        &polled.column,
        &polled.ty,
    );

    Ok(quote! {
        impl #p::oauth_core::oauth2::rfc8628::OAuth2DeviceCode for #ident {
            fn client_id(&self) -> &str {
                &self.#cif
            }
            fn scope(&self) -> #p::oauth_core::Scope {
                #p::oauth_core::Scope::from_stored(&self.#sf)
            }
            fn status(&self) -> #p::oauth_core::oauth2::rfc8628::DeviceCodeStatus {
                #p::oauth_core::oauth2::rfc8628::DeviceCodeStatus::from_stored(&self.#stf)
            }
            fn user_id(&self) -> ::std::option::Option<::std::string::String> {
                #p::OwnerColumn::to_engine(&self.#uif)
            }
            fn issued_at(&self) -> i64 {
                #p::IntColumn::to_i64(&self.#iaf)
            }
            fn expires_at(&self) -> i64 {
                #p::IntColumn::to_i64(&self.#eaf)
            }
            fn interval(&self) -> i64 {
                #p::IntColumn::to_i64(&self.#inf)
            }
            fn last_polled_at(&self) -> ::std::option::Option<i64> {
                self.#lpf.map(|v| #p::IntColumn::to_i64(&v))
            }
        }

        impl #p::DieselDeviceCode for #ident {
            fn insert(
                conn: &mut #p::AnyConnection,
                new: &#p::oauth_core::oauth2::rfc8628::NewDeviceCode,
            ) -> #p::diesel::QueryResult<()> {
                use #p::diesel::prelude::*;
                #p::diesel::insert_into(#table::table)
                    .values((
                        #dc.eq(&new.device_code_digest),
                        #uc.eq(Some(new.user_code_digest.as_str())),
                        #cic.eq(&new.client_id),
                        #sc.eq(&new.scope),
                        #stc.eq("pending"),
                        #iac.eq(<#iat as #p::IntColumn>::from_i64(new.issued_at)?),
                        #eac.eq(<#iat as #p::IntColumn>::from_i64(new.expires_at)?),
                        #inc.eq(<#iat as #p::IntColumn>::from_i64(new.interval)?),
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn free_expired_user_code(
                conn: &mut #p::AnyConnection,
                user_code_digest: &str,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let now_v = <#iat as #p::IntColumn>::from_i64(now)?;
                #p::diesel::update(
                    #table::table.filter(#uc.eq(user_code_digest)).filter(#eac.le(now_v)),
                )
                .set(#uc.eq(::std::option::Option::<&str>::None))
                .execute(conn)
            }

            fn find_by_user_code(
                conn: &mut #p::AnyConnection,
                user_code_digest: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                use #p::diesel::prelude::*;
                #p::on_backend!(conn, |conn| #table::table
                    .filter(#uc.eq(user_code_digest))
                    .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
                    .get_result(conn)
                    .optional())
            }

            fn find_by_device_code(
                conn: &mut #p::AnyConnection,
                device_code_digest: &str,
                client_id: &str,
            ) -> #p::diesel::QueryResult<::std::option::Option<Self>> {
                use #p::diesel::prelude::*;
                #p::on_backend!(conn, |conn| #table::table
                    .filter(#dc.eq(device_code_digest))
                    .filter(#cic.eq(client_id))
                    .select(<Self as #p::diesel::SelectableHelper<_>>::as_select())
                    .get_result(conn)
                    .optional())
            }

            fn decide(
                conn: &mut #p::AnyConnection,
                user_code_digest: &str,
                status: &str,
                user_id: &str,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let now_v = <#iat as #p::IntColumn>::from_i64(now)?;
                #p::diesel::update(
                    #table::table
                        .filter(#uc.eq(user_code_digest))
                        .filter(#stc.eq("pending"))
                        .filter(#eac.gt(now_v)),
                )
                .set((
                    #stc.eq(status),
                    #uic.eq(<#uit as #p::OwnerColumn>::from_engine(Some(user_id))?),
                ))
                .execute(conn)
            }

            fn poll_on_time(
                conn: &mut #p::AnyConnection,
                device_code_digest: &str,
                client_id: &str,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let now_v = <#iat as #p::IntColumn>::from_i64(now)?;
                #p::diesel::update(
                    #table::table
                        .filter(#dc.eq(device_code_digest))
                        .filter(#cic.eq(client_id))
                        .filter(#lpc.is_null().or((#lpc + #inc.nullable()).le(now_v))),
                )
                .set(#lpc.eq(<#lpt as #p::OptIntColumn>::at(now)?))
                .execute(conn)
            }

            fn poll_too_fast(
                conn: &mut #p::AnyConnection,
                device_code_digest: &str,
                client_id: &str,
                now: i64,
                slow_down_by: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let by = <#iat as #p::IntColumn>::from_i64(slow_down_by)?;
                #p::diesel::update(
                    #table::table
                        .filter(#dc.eq(device_code_digest))
                        .filter(#cic.eq(client_id)),
                )
                .set((
                    #inc.eq(#inc + by),
                    #lpc.eq(<#lpt as #p::OptIntColumn>::at(now)?),
                ))
                .execute(conn)
            }

            fn consume(
                conn: &mut #p::AnyConnection,
                device_code_digest: &str,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                #p::diesel::update(
                    #table::table
                        .filter(#dc.eq(device_code_digest))
                        .filter(#stc.eq("approved")),
                )
                .set(#stc.eq("consumed"))
                .execute(conn)
            }

            fn delete_expired(
                conn: &mut #p::AnyConnection,
                now: i64,
            ) -> #p::diesel::QueryResult<usize> {
                use #p::diesel::prelude::*;
                let now_v = <#iat as #p::IntColumn>::from_i64(now)?;
                #p::diesel::delete(#table::table.filter(#eac.le(now_v))).execute(conn)
            }
        }
    })
}
