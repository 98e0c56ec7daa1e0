"""Forms for team administration. They only validate; the services write."""

from django import forms

from accounts.models import Membership, Team, User
from contacts.models import Kol


class InviteForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=150)
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MSL)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
    on = forms.TypedChoiceField(
        choices=[("1", "add"), ("0", "remove")], coerce=lambda value: value == "1"
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})"


class RemoveForm(forms.Form):
    """Who in the team takes over the KOLs of someone leaving it (a team's KOLs stay)."""

    to = UserChoiceField(
        label="Hand their KOLs to",
        queryset=User.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Pick an active member of this team."},
    )

    def __init__(self, *args, heirs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = heirs


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Join"), ("decline", "Decline")])


class KolChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Kol) -> str:
        return obj.display_name


class ReassignForm(forms.Form):
    kols = KolChoiceField(
        label="KOLs to reassign",
        queryset=Kol.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one KOL to reassign.",
            "invalid_choice": "Some of the chosen KOLs are not theirs to reassign (any more): "
            "nothing was changed.",
        },
    )
    to = UserChoiceField(
        label="New owner",
        queryset=User.objects.none(),
        empty_label="Choose an MSL",
        error_messages={"invalid_choice": "Pick an MSL of your teams."},
    )

    def __init__(self, *args, kols, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kols"].queryset = kols
        self.fields["to"].queryset = targets
