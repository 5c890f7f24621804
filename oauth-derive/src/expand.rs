//! Code generation: the mapping of a parsed struct, handed to its
//! template in `oauth_diesel::queries`. Nothing here decides behaviour:
//! the derive names, for each role in the model's order, the field, the
//! column and the type (or nothing for an optional role the struct
//! lacks), and the template writes the model trait and the queries.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{DeriveInput, Ident};

use crate::parse::{Model, parse_with};
use crate::roles::ModelSpec;

/// Parses `input` as the model `spec` and emits its mapping:
///
/// ```text
/// ::oauth_diesel::__private::oauth2_token! {
///     model: Token,
///     table: tokens::table,
///     client_id: client_id => tokens::client_id: String,
///     refresh_token_scope: ,
///     ...
/// }
/// ```
pub fn derive(input: DeriveInput, spec: &ModelSpec) -> syn::Result<TokenStream> {
    // Generic parameters stop at once: every field's type would then be
    // wrong too.
    no_generics(&input, spec.derive)?;
    let m = parse_with(&input, spec.derive, spec.attr, spec.roles)?;
    Ok(mapping(&m, spec))
}

fn mapping(m: &Model, spec: &ModelSpec) -> TokenStream {
    let template = Ident::new(spec.template, Span::call_site());
    let ident = &m.ident;
    let table = &m.table;
    let roles = spec.roles.iter().map(|role| {
        let name = Ident::new(role.name, Span::call_site());
        match m.find(role.name) {
            Some(b) => {
                let (field, column, ty) = (&b.field, &b.column, &b.ty);
                quote!(#name: #field => #table::#column : #ty,)
            }
            None => quote!(#name: ,),
        }
    });
    quote! {
        ::oauth_diesel::__private::#template! {
            model: #ident,
            table: #table::table,
            #(#roles)*
        }
    }
}

fn no_generics(input: &DeriveInput, derive: &str) -> syn::Result<()> {
    if input.generics.params.is_empty() {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            &input.generics,
            format!("#[derive({derive})] works on a plain struct without generic parameters"),
        ))
    }
}
