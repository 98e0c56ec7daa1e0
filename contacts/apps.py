from django.apps import AppConfig
from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "KOLs"

    def ready(self) -> None:
        IntegerField.register_lookup(IntegerFieldIn)


class IntegerFieldIn(In):
    """`pk__in` with an out-of-range integer (a forged form value) matches nothing, as
    Django's own `exact` lookup does, instead of overflowing SQLite's driver (a 500)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not self.rhs:
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)
